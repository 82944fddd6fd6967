//! The papers of a dossier (Forms 01-06 and the result), as content and as PDF/A, made from
//! the dossier as the reader may see it.

use crate::{AppError, AppResult, Code, DossierRecord, Dossiers};
use domain::papers::{self, Facts, Paper};

/// Which paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Form 01, the receipt and appointment.
    Receipt,
    /// Forms 02-05, the letters to the applicant.
    Letter(u8),
    /// Form 06, the control sheet.
    ControlSheet,
    /// The result document (unsigned: the draft the leader signs).
    Result,
}

impl Form {
    /// The form numbered `n` (1-6).
    pub fn numbered(n: u8) -> Option<Form> {
        match n {
            1 => Some(Form::Receipt),
            2..=5 => Some(Form::Letter(n)),
            6 => Some(Form::ControlSheet),
            _ => None,
        }
    }
}

/// The paper as a PDF/A-2b file.
pub fn pdf_of(paper: &Paper) -> AppResult<Vec<u8>> {
    pdf::render(paper).map_err(|e| AppError::internal(Code::PdfRender, e))
}

impl Dossiers<'_> {
    /// A paper of `d`, which the caller has read as the reader may see it. `track_url` is the
    /// tracking page's address, printed on the receipt; `signer` is named under the result.
    pub fn paper_of(
        &self,
        d: &DossierRecord,
        form: Form,
        track_url: &str,
        signer: Option<&str>,
    ) -> AppResult<Paper> {
        let catalog = self.app.catalog();
        let procedure = catalog.get(&d.procedure_code);
        let unit = units::registry().unit_name(&d.receiving_unit).unwrap_or(&d.receiving_unit).to_string();
        let facts = Facts {
            code: &d.code,
            applicant: &d.applicant_name,
            received: d.received_at.unwrap_or(d.registered_at),
            due: d.due_at,
            events: &d.events,
            unit: &unit,
            procedure: procedure.map_or(&d.procedure_code, |p| &p.name),
            result: procedure.and_then(|p| p.result.as_deref()),
            legal_basis: procedure.map_or(&[], |p| &p.legal_basis),
            applicant_id: d.applicant_id_number.as_deref(),
            applicant_address: d.address_text.as_deref(),
        };
        let missing = |m: papers::Missing| AppError::new(Code::NoSuchForm, m.message());
        Ok(match form {
            Form::Receipt => {
                let officer = d
                    .events
                    .iter()
                    .find(|e| matches!(e.kind, domain::EventKind::Received))
                    .map_or(String::new(), |e| e.actor.clone());
                // The officer by name, as they sign the paper.
                let officer = match self.app.accounts().user(&officer) {
                    Ok(Some((u, _))) => u.full_name.unwrap_or(officer),
                    _ => officer,
                };
                let receipt = papers::Receipt {
                    address: d.address_text.clone().unwrap_or_default(),
                    phone: d.applicant_phone.clone().unwrap_or_default(),
                    documents: procedure.map(|p| p.documents.clone()).unwrap_or_default(),
                    limit: procedure
                        .as_ref()
                        .and_then(|p| p.terms(d.channel))
                        .map_or(String::new(), |t| t.limit.to_string()),
                    track_url: track_url.to_string(),
                    pin: d.tracking_pin.clone(),
                    officer,
                };
                papers::receipt(&facts, &receipt)
            }
            Form::Letter(n) => papers::letter(&facts, n).map_err(missing)?,
            Form::ControlSheet => papers::control_sheet(&facts),
            Form::Result => papers::result(&facts, signer).map_err(missing)?,
        })
    }
}
