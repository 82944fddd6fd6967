//! Messages between the servers that share one PostgreSQL database, over its LISTEN/NOTIFY:
//! what one server commits reaches the live pages served by every other.
//!
//! Each server sends on a connection of its own, off the request path, packing the messages
//! waiting into as few notifications as fit (a notification holds under 8,000 bytes; messages
//! are lines), and listens on another. Both connect again after a loss. A message sent while
//! a server was disconnected is not heard by it: the stream is a cue to refresh, and the pages
//! refresh on their own too.

use postgres::fallible_iterator::FallibleIterator;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The channel's name in PostgreSQL.
const CHANNEL: &str = "haicap_live";
/// Bytes of one notification's payload at most (PostgreSQL's limit is 8,000).
const MAX_PAYLOAD: usize = 7_900;
/// How often the threads look at the stop flag when idle.
const TICK: Duration = Duration::from_millis(500);
/// How long the sender lets messages gather after a notification: each notification is a
/// transaction of its own, and at a province's busiest every write sends a message.
const GATHER: Duration = Duration::from_millis(25);

pub struct Bus {
    tx: Option<Sender<String>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Bus {
    /// Starts sending and listening on the database at `url` (PostgreSQL); returns the bus and
    /// what is heard on it (every server's messages, this one's included).
    pub fn start(url: &str) -> (Bus, Receiver<String>) {
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, outgoing) = channel::<String>();
        let (heard_tx, heard) = channel::<String>();
        let sender = {
            let (url, stop) = (url.to_string(), stop.clone());
            std::thread::Builder::new()
                .name("haicap-bus-send".into())
                .spawn(move || send_loop(&url, &outgoing, &stop))
                .expect("a thread can be started")
        };
        let listener = {
            let (url, stop) = (url.to_string(), stop.clone());
            std::thread::Builder::new()
                .name("haicap-bus-listen".into())
                .spawn(move || listen_loop(&url, &heard_tx, &stop))
                .expect("a thread can be started")
        };
        (Bus { tx: Some(tx), stop, threads: vec![sender, listener] }, heard)
    }

    /// Sends a message (one line: a newline in it is replaced by a space).
    pub fn send(&self, message: String) {
        let message = if message.contains('\n') { message.replace('\n', " ") } else { message };
        if message.len() > MAX_PAYLOAD {
            tracing::warn!(bytes = message.len(), "tin nhắn giữa các máy chủ quá dài; bỏ qua");
            return;
        }
        if let Some(tx) = &self.tx {
            let _ = tx.send(message);
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.tx = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn connect(url: &str) -> Option<postgres::Client> {
    let mut config: postgres::Config = url.parse().ok()?;
    config.connect_timeout(Duration::from_secs(5));
    config.connect(postgres::NoTls).ok()
}

/// Waits before connecting again, watching the stop flag.
fn pause(stop: &AtomicBool) {
    for _ in 0..4 {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(TICK);
    }
}

fn send_loop(url: &str, outgoing: &Receiver<String>, stop: &AtomicBool) {
    let mut client: Option<postgres::Client> = None;
    let mut pending: Vec<String> = vec![];
    while !stop.load(Ordering::Relaxed) {
        if pending.is_empty() {
            match outgoing.recv_timeout(TICK) {
                Ok(m) => pending.push(m),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        pending.extend(outgoing.try_iter().take(10_000));
        let c = match &mut client {
            Some(c) if !c.is_closed() => c,
            _ => match connect(url).and_then(|mut c| {
                // A notification is a cue to refresh, not a record: its commit need not wait
                // for the disk.
                c.batch_execute("SET synchronous_commit = off").ok()?;
                Some(c)
            }) {
                Some(c) => client.insert(c),
                None => {
                    // The database is away: what was waiting is dropped (see the module's
                    // note), so that memory does not grow with an outage.
                    pending.clear();
                    pause(stop);
                    continue;
                }
            },
        };
        let mut payload = String::new();
        let mut failed = false;
        for m in pending.drain(..) {
            if !payload.is_empty() && payload.len() + 1 + m.len() > MAX_PAYLOAD {
                failed |= c.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload]).is_err();
                payload.clear();
            }
            if !payload.is_empty() {
                payload.push('\n');
            }
            payload.push_str(&m);
        }
        if !payload.is_empty() {
            failed |= c.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload]).is_err();
        }
        if failed {
            client = None;
        }
        std::thread::sleep(GATHER);
    }
}

fn listen_loop(url: &str, heard: &Sender<String>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let Some(mut client) = connect(url) else {
            pause(stop);
            continue;
        };
        if client.batch_execute(&format!("LISTEN {CHANNEL}")).is_err() {
            pause(stop);
            continue;
        }
        while !stop.load(Ordering::Relaxed) && !client.is_closed() {
            let mut notes = client.notifications();
            let mut it = notes.timeout_iter(TICK);
            match it.next() {
                Ok(Some(n)) => {
                    for line in n.payload().split('\n') {
                        if heard.send(line.to_string()).is_err() {
                            return;
                        }
                    }
                }
                Ok(None) => {}
                Err(_) => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_one_server_sends_every_server_hears_in_order() {
        let Some((url, _admin)) = crate::scratch::admin() else { return };
        let (a, _heard_a) = Bus::start(&url);
        let (_b, heard_b) = Bus::start(&url);
        // The listener needs a moment to LISTEN: send until the first message is heard.
        let mut first = None;
        for i in 0..40 {
            a.send(format!("hello {i}"));
            if let Ok(m) = heard_b.recv_timeout(Duration::from_millis(250)) {
                first = Some(m);
                break;
            }
        }
        assert!(first.is_some_and(|m| m.starts_with("hello")), "b heard a");
        while heard_b.recv_timeout(Duration::from_millis(300)).is_ok() {}
        // Many at once are packed into few notifications and arrive whole and in order.
        let sent: Vec<String> =
            (0..500).map(|i| format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(100))).collect();
        for m in &sent {
            a.send(m.clone());
        }
        let mut got = vec![];
        while got.len() < sent.len() {
            match heard_b.recv_timeout(Duration::from_secs(5)) {
                // Other tests may talk on the same database meanwhile.
                Ok(m) if m.starts_with("{\"n\":") => got.push(m),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        assert_eq!(got, sent);
    }
}
