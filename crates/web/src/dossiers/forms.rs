//! The printable papers of a dossier: the receipt (Form 01, with the tracking PIN and its QR
//! code), Forms 02-06 and the result's draft, in the browser and as PDF/A; and the documents
//! filed.

use crate::auth::PageUser;
use crate::error::ApiError;
use crate::view::{bar, file_response, page_error, pdf_file, render, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use app::dossiers::papers::Form;
use app::Actor;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use domain::papers::{Block, Paper};
use errors::Code;
use std::sync::Arc;

pub fn staff_routes() -> Routes {
    Routes::default()
        .route("/ho-so/{code}/phieu", get(receipt))
        .route("/ho-so/{code}/mau/{n}", get(form_letter))
        .route("/ho-so/{code}/mau/{n}/pdf", get(form_pdf))
        .route("/ho-so/{code}/ket-qua/ban-du-thao", get(result_draft))
        .route("/ho-so/{code}/tep/{seq}", get(download))
}

const TRACKING_PIN: &str = domain::papers::TRACKING_PIN;

/// A line of a paper as the template draws it (items numbered here, not in the template).
enum PaperLine {
    Text(String),
    Field(String, String),
    Item(usize, String),
    Heading(String),
    Table(domain::papers::Table),
}

#[derive(Template)]
#[template(path = "paper.html")]
struct PaperPage {
    user: Option<UserBar>,
    paper: Paper,
    blocks: Vec<PaperLine>,
    signer_lines: Vec<String>,
    sign_note: &'static str,
    qr: String,
    pdf_url: String,
}

fn lines(paper: &Paper) -> Vec<PaperLine> {
    let mut n = 0;
    paper
        .body
        .iter()
        .map(|b| match b {
            Block::Text(t) => {
                n = 0;
                PaperLine::Text(t.clone())
            }
            Block::Field(l, v) => {
                n = 0;
                PaperLine::Field(l.clone(), v.clone())
            }
            Block::Item(t) => {
                n += 1;
                PaperLine::Item(n, t.clone())
            }
            Block::Heading(t) => {
                n = 0;
                PaperLine::Heading(t.clone())
            }
            Block::Table(t) => {
                n = 0;
                PaperLine::Table(t.clone())
            }
        })
        .collect()
}

fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color>().min_dimensions(120, 120).build(),
        Err(_) => String::new(),
    }
}

/// The tracking page's address, with the PIN when the reader may see it: the paper is the key.
fn track_url(web: &Web, parts: &Parts, code: &str, pin: Option<&str>) -> String {
    let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if web.secure_cookies { "https" } else { "http" };
    match pin {
        Some(pin) => format!("{scheme}://{host}/tra-cuu?code={code}&pin={pin}"),
        None => format!("{scheme}://{host}/tra-cuu?code={code}"),
    }
}

/// A paper of the dossier as the reader may see it (a full read is recorded).
async fn paper(
    web: &Arc<Web>,
    u: &PageUser,
    parts: &Parts,
    code: String,
    form: Form,
) -> Result<(Paper, String), ApiError> {
    let d = super::page::load(web, &u.session, code).await?;
    let url = track_url(web, parts, &d.code, d.tracking_pin.as_deref());
    let app = web.app.clone();
    let plain = track_url(web, parts, &d.code, None);
    let paper = blocking(move || app.dossiers().paper_of(&d, form, &plain, None)).await?;
    Ok((paper, url))
}

fn show(u: &PageUser, paper: Paper, qr: String, pdf_url: String) -> Response {
    render(&PaperPage {
        user: bar(&u.session),
        blocks: lines(&paper),
        signer_lines: paper.signer_title.lines().map(str::to_string).collect(),
        sign_note: paper.sign_note(),
        paper,
        qr,
        pdf_url,
    })
}

async fn receipt(
    State(web): State<Arc<Web>>,
    u: PageUser,
    parts: Parts,
    Path(code): Path<String>,
) -> Response {
    show_numbered(&web, &u, &parts, code, 1).await
}

fn form_numbered(n: u8) -> Result<Form, ApiError> {
    Form::numbered(n).ok_or_else(|| ApiError::new(Code::NoSuchForm, "không có mẫu này"))
}

async fn form_letter(
    State(web): State<Arc<Web>>,
    u: PageUser,
    parts: Parts,
    Path((code, n)): Path<(String, u8)>,
) -> Response {
    show_numbered(&web, &u, &parts, code, n).await
}

/// Form `n` in the browser; the receipt (Form 01) with the QR code of its tracking page.
async fn show_numbered(web: &Arc<Web>, u: &PageUser, parts: &Parts, code: String, n: u8) -> Response {
    let form = match form_numbered(n) {
        Ok(f) => f,
        Err(e) => return page_error(e),
    };
    match paper(web, u, parts, code, form).await {
        Ok((p, url)) => {
            let pdf = format!("/ho-so/{}/mau/{n}/pdf", p.reference);
            let qr = if form == Form::Receipt { qr_svg(&url) } else { String::new() };
            show(u, p, qr, pdf)
        }
        Err(e) => page_error(e),
    }
}

/// A paper as a PDF/A file, named after the dossier and the form.
async fn form_pdf(
    State(web): State<Arc<Web>>,
    u: PageUser,
    parts: Parts,
    Path((code, n)): Path<(String, u8)>,
) -> Response {
    let form = match form_numbered(n) {
        Ok(f) => f,
        Err(e) => return page_error(e),
    };
    pdf_response(&web, &u, &parts, code, form).await
}

/// The result's draft, unsigned, for the leader to read before signing.
async fn result_draft(
    State(web): State<Arc<Web>>,
    u: PageUser,
    parts: Parts,
    Path(code): Path<String>,
) -> Response {
    pdf_response(&web, &u, &parts, code, Form::Result).await
}

async fn pdf_response(web: &Arc<Web>, u: &PageUser, parts: &Parts, code: String, form: Form) -> Response {
    let made = match paper(web, u, parts, code, form).await {
        Ok((p, _)) => blocking(move || Ok((p.file_stem.clone(), app::dossiers::papers::pdf_of(&p)?))).await,
        Err(e) => Err(e),
    };
    match made {
        Ok((stem, bytes)) => pdf_file(&stem, bytes),
        Err(e) => page_error(e),
    }
}

async fn download(
    State(web): State<Arc<Web>>,
    u: PageUser,
    Path((code, seq)): Path<(String, u32)>,
) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    match blocking(move || app.dossiers().attachment(&code, seq, &actor)).await {
        Ok((a, bytes)) => file_response(&a, bytes),
        Err(e) => page_error(e),
    }
}
