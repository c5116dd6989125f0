//! `secdesk-advisory-render`: every approved advisory revision not yet
//! rendered → `ID.txt`, `ID.osv.json`, `ID.csaf.json` (each written to a
//! temporary file, then renamed into place), the text queued to
//! `advisory.sender` under `advisory:ID:REV` in the same transaction that
//! marks the revision rendered; then the outbox is delivered. A rerun
//! renders and sends nothing new.

use crate::advisory::render;
use crate::config::Config;
use crate::job::Error;
use crate::outbox::deliver::Outcome;
use crate::outbox::{self, Key, Mail, MailKind};
use crate::store::Store;
use crate::time::Instant;
use std::path::{Path, PathBuf};

/// What a run did.
#[derive(Debug, Clone)]
pub struct Ran {
    /// `ID revision N` for each revision rendered now.
    pub rendered: Vec<String>,
    /// The files written, in order.
    pub files: Vec<PathBuf>,
    /// What delivering the outbox did.
    pub delivery: Outcome,
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.rendered.is_empty() {
            write!(f, "advisory-render: nothing to render; {}", self.delivery)
        } else {
            write!(
                f,
                "advisory-render: rendered {}; {}",
                self.rendered.join(", "),
                self.delivery
            )
        }
    }
}

/// Writes `bytes` to `path` through a temporary file beside it, so a
/// reader never sees half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let io = |e: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        error: e.to_string(),
    };
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Renders every unrendered approved revision into `out` (default
/// `advisory.out_dir`), queues each text once to the sender, delivers.
/// `settings` is `config.advisory`, which the edge has required (with the
/// file's name in the refusal: `Config::advisory_settings`).
pub fn run(
    store: &mut Store,
    config: &Config,
    settings: &crate::config::Advisory,
    now: Instant,
    out: Option<&Path>,
    log: &mut dyn FnMut(&str),
) -> Result<Ran, Error> {
    let publisher = crate::app::advisory::publisher(settings);
    let dir = match out {
        Some(d) => d.to_path_buf(),
        None => settings.out_dir(&config.database),
    };
    let sender_email = config
        .member(&settings.sender)
        .and_then(|m| m.email.clone())
        .unwrap_or_default();
    let template = match &settings.template_file {
        Some(path) => Some((
            path.clone(),
            std::fs::read_to_string(path).map_err(|e| Error::Template {
                path: path.clone(),
                error: e.to_string(),
            })?,
        )),
        None => None,
    };
    let todo = store.read(crate::app::advisory::unrendered)?;
    let mut ran = Ran {
        rendered: Vec::new(),
        files: Vec::new(),
        delivery: Outcome::default(),
    };
    if !todo.is_empty() {
        std::fs::create_dir_all(&dir).map_err(|e| Error::Write {
            path: dir.clone(),
            error: e.to_string(),
        })?;
    }
    for t in todo {
        let adv = &t.advisory;
        if let Some(why) = t.skip {
            store.write(|tx| tx.mark_revision_rendered(t.draft, adv.revision, now))?;
            log(&format!(
                "{} revision {} not rendered: {why}",
                adv.id, adv.revision
            ));
            continue;
        }
        let text = match &template {
            Some((path, t)) => {
                render::text_with(adv, &publisher, Some(t)).map_err(|e| Error::Template {
                    path: path.clone(),
                    error: e.to_string(),
                })?
            }
            None => render::text(adv, &publisher),
        }
        .replace('\r', "");
        for (ext, body) in [
            ("txt", text.clone()),
            ("osv.json", render::osv(adv, &publisher)),
            ("csaf.json", render::csaf(adv, &publisher)),
        ] {
            let path = dir.join(format!("{}.{ext}", adv.id));
            write_atomic(&path, body.as_bytes())?;
            ran.files.push(path);
        }
        let key = Key::Advisory {
            id: &adv.id,
            revision: adv.revision,
        }
        .to_string();
        let mail = Mail {
            key,
            kind: MailKind::Advisory,
            to: vec![sender_email.clone()],
            subject: crate::advisory::draft::mail_subject(&adv.id, &adv.title),
            text,
            html: None,
        };
        let composed = outbox::compose(&mail, &crate::job::from_address(config), now)?;
        store.write(|tx| {
            tx.enqueue(&composed, now)?;
            tx.mark_revision_rendered(t.draft, adv.revision, now)
        })?;
        log(&format!(
            "rendered {} revision {} into {}",
            adv.id,
            adv.revision,
            dir.display()
        ));
        ran.rendered
            .push(format!("{} revision {}", adv.id, adv.revision));
    }
    ran.delivery = outbox::deliver(store, &crate::job::delivery(config), now, log)?;
    Ok(ran)
}
