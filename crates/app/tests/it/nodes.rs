//! The commune nodes a province accepts histories from: added with a token shown once,
//! one per commune, revoked for good.

use crate::common::{at, backends, open, HandClock};

#[test]
fn a_node_is_added_with_a_token_once_and_revoked_for_good() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 6, 1, 8, 0));
        let app = open(&db, &clock);
        let (node, token) = app.add_node("20242").unwrap();
        assert_eq!((node.commune_code.as_str(), node.province_code.as_str()), ("20242", "48"));
        assert!(token.starts_with("hcn_") && token.len() == 4 + 64, "{token}");
        // The token opens its node and records the contact; nothing else opens it.
        clock.set(at(2026, 6, 1, 9, 30));
        let seen = app.node_for_token(&token).unwrap();
        assert_eq!(seen.last_seen_at, Some(at(2026, 6, 1, 9, 30)));
        for wrong in ["", "hcn_", "hcn_00", &token[..token.len() - 1], &format!("{token}0")] {
            assert_eq!(app.node_for_token(wrong).unwrap_err().code.as_str(), "unauthenticated", "{wrong}");
        }
        // One node per commune; a commune that does not exist has none (a province's code names
        // its server, which the national instance takes feeds from: tests of `national`).
        assert_eq!(app.add_node("20242").unwrap_err().code.as_str(), "node_exists");
        assert_eq!(app.add_node("99999").unwrap_err().code.as_str(), "unknown_commune");
        assert_eq!(app.add_node("4").unwrap_err().code.as_str(), "unknown_commune");
        // Revoked: the token is refused as revoked, and stays refused after a new one is given.
        let (revoked, handed) = app.revoke_node("20242").unwrap();
        assert_eq!(handed, 0);
        assert_eq!(revoked.revoked_at, Some(at(2026, 6, 1, 9, 30)));
        assert_eq!(app.node_for_token(&token).unwrap_err().code.as_str(), "node_revoked");
        assert_eq!(app.revoke_node("20242").unwrap_err().code.as_str(), "unknown_node");
        let (_, again) = app.add_node("20242").unwrap();
        assert_ne!(again, token);
        assert_eq!(app.node_for_token(&token).unwrap_err().code.as_str(), "unauthenticated");
        assert_eq!(app.node_for_token(&again).unwrap().commune_code, "20242");
        let nodes = app.nodes().unwrap();
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0].revoked_at, None);
    }
}
