//! Apps > Company Apps > Asana > SSO: the Issuer URL, the SAML 2.0 and SLO endpoints, the X.509
//! certificate (View Details, download as PEM), the signature algorithm and element, and
//! More Actions > SAML Metadata (fidelity/saml §2). Rotating keeps the old certificate listed
//! until it is removed.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use harness_html::{escape, time};

use super::apps::{app_page, find_app};
use super::page::*;
use crate::model::{IdpCertificate, SignatureAlgorithm, SignatureElement};
use crate::sso;
use crate::state::Shared;

pub(super) async fn sso_tab(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    if let Err(e) = crate::sso::keys::ensure_certificate(&app, a.id) {
        return error(StatusCode::CONFLICT, &e.to_string());
    }
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let origin = &app.origin;
    let certs: String = a
        .sso
        .certificates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let details = c.parsed();
            let remove = if i == 0 {
                "<strong>In use</strong>".to_owned()
            } else {
                format!(
                    "<form class=\"inline\" method=\"post\" action=\"/admin/apps/{app}/sso/certificates/{id}/remove\"><button type=\"submit\">Remove</button></form>",
                    app = a.id,
                    id = c.id
                )
            };
            format!(
                "<tr><td>{subject}</td><td><code>{sha1}</code></td><td>{created}</td>\
                 <td><a href=\"/admin/apps/{app}/sso/certificates/{id}\">View Details</a> \
                 <a href=\"/admin/apps/{app}/sso/certificates/{id}/download\">Download</a></td><td>{remove}</td></tr>",
                subject = escape(details.as_ref().map_or("", |d| d.subject())),
                sha1 = details.as_ref().map(|d| d.sha1_fingerprint()).unwrap_or_default(),
                created = time::stamp(c.created_at),
                app = a.id,
                id = c.id,
            )
        })
        .collect();
    let option = |value: &str, label: &str, on: bool| {
        format!("<option value=\"{value}\"{}>{label}</option>", selected(on))
    };
    let algorithms: String = SignatureAlgorithm::CHOICES
        .into_iter()
        .map(|(value, label, it)| option(value, label, a.sso.signature_algorithm == it))
        .collect();
    let elements: String = [
        ("assertion", "Assertion", SignatureElement::Assertion),
        ("response", "Response", SignatureElement::Response),
        ("both", "Both", SignatureElement::Both),
    ]
    .into_iter()
    .map(|(value, label, it)| option(value, label, a.sso.signature_element == it))
    .collect();
    let body = format!(
        "{saved}<dl id=\"sso-endpoints\"><dt>Issuer URL</dt><dd><code>{issuer}</code></dd>\
         <dt>SAML 2.0 Endpoint (HTTP)</dt><dd><code>{sso}</code></dd>\
         <dt>SLO Endpoint (HTTP)</dt><dd><code>{slo}</code></dd></dl>\
         <p><a href=\"{metadata}\">More Actions › SAML Metadata</a></p>\
         <h2>X.509 Certificate</h2><table id=\"certificates\"><thead><tr><th>Subject</th><th>SHA-1 fingerprint</th><th>Created</th><th></th><th></th></tr></thead><tbody>{certs}</tbody></table>\
         <form method=\"post\" action=\"/admin/apps/{id}/sso/rotate\"><button type=\"submit\" id=\"rotate\">Rotate certificate</button></form>\
         <form method=\"post\" action=\"/admin/apps/{id}/sso\"><fieldset><legend>Service provider</legend>\
         <p><label for=\"acs_url\">ACS (Consumer) URL</label> <input id=\"acs_url\" name=\"acs_url\" size=\"60\" value=\"{acs}\"></p>\
         <p><label for=\"audience\">Audience</label> <input id=\"audience\" name=\"audience\" size=\"40\" value=\"{audience}\"></p>\
         <p><label for=\"signature_algorithm\">SAML Signature Algorithm</label> <select id=\"signature_algorithm\" name=\"signature_algorithm\">{algorithms}</select></p>\
         <p><label for=\"signature_element\">SAML signature element</label> <select id=\"signature_element\" name=\"signature_element\">{elements}</select></p>\
         <button type=\"submit\" id=\"save-sso\">Save</button></fieldset></form>\
         <p>The NameID is set on the Parameters tab.</p>",
        saved = saved.notice("Service provider settings"),
        issuer = escape(&sso::issuer(a.sso.issuer_form, origin, a.id)),
        metadata = escape(&sso::metadata_url(origin, a.id)),
        sso = escape(&sso::sso_url(origin, a.id)),
        slo = escape(&sso::slo_url(origin, a.id)),
        id = a.id,
        acs = escape(a.sso.acs_url.as_deref().unwrap_or("")),
        audience = escape(&a.sso.audience),
    );
    app_page(&a, "sso", &body)
}

pub(super) async fn save_sso(
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let f = form(&body);
    let mut next = a.sso.clone();
    next.acs_url = text(&f, "acs_url");
    if let Some(audience) = text(&f, "audience") {
        next.audience = audience;
    }
    next.signature_algorithm = SignatureAlgorithm::CHOICES
        .into_iter()
        .find(|(value, _, _)| f.get("signature_algorithm").map(String::as_str) == Some(*value))
        .map_or(SignatureAlgorithm::RsaSha1, |(_, _, it)| it);
    next.signature_element = match f.get("signature_element").map(String::as_str) {
        Some("response") => SignatureElement::Response,
        Some("both") => SignatureElement::Both,
        _ => SignatureElement::Assertion,
    };
    let now = app.clock.now();
    if let Err(e) = app.store_mut().set_sso(a.id, next, now) {
        return error(StatusCode::BAD_REQUEST, &e.to_string());
    }
    Redirect::to(&saved_url(&format!("/admin/apps/{}/sso", a.id))).into_response()
}

pub(super) async fn rotate(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    if let Err(e) = crate::sso::keys::rotate(&app, a.id, None) {
        return error(StatusCode::CONFLICT, &e.to_string());
    }
    Redirect::to(&format!("/admin/apps/{}/sso", a.id)).into_response()
}

pub(super) async fn remove_certificate(
    State(app): State<Shared>,
    Path((id, cert)): Path<(String, String)>,
) -> Response {
    let (Some(a), Some(cert)) = (find_app(&app, &id), id_of(&cert)) else {
        return error(StatusCode::NOT_FOUND, "There is no such certificate.");
    };
    if let Err(e) = app.store_mut().remove_certificate(a.id, cert) {
        return error(StatusCode::CONFLICT, &e.to_string());
    }
    Redirect::to(&format!("/admin/apps/{}/sso", a.id)).into_response()
}

fn certificate(app: &Shared, id: &str, cert: &str) -> Option<(crate::model::App, IdpCertificate)> {
    let a = find_app(app, id)?;
    let cert = id_of(cert)?;
    let c = a.sso.certificates.iter().find(|c| c.id == cert)?.clone();
    Some((a, c))
}

/// View Details: subject, validity, fingerprints, and the PEM to copy.
pub(super) async fn certificate_details(
    State(app): State<Shared>,
    Path((id, cert)): Path<(String, String)>,
) -> Response {
    let Some((a, c)) = certificate(&app, &id, &cert) else {
        return error(StatusCode::NOT_FOUND, "There is no such certificate.");
    };
    let Some(d) = c.parsed() else {
        return error(StatusCode::CONFLICT, "The certificate cannot be read.");
    };
    let body = format!(
        "<h2>Certificate details</h2><dl id=\"certificate\"><dt>Subject</dt><dd>{subject}</dd>\
         <dt>Valid from</dt><dd>{from}</dd><dt>Valid until</dt><dd>{until}</dd>\
         <dt>SHA-1 fingerprint</dt><dd><code>{sha1}</code></dd><dt>SHA-256 fingerprint</dt><dd><code>{sha256}</code></dd></dl>\
         <pre id=\"pem\">{pem}</pre><p><a href=\"/admin/apps/{app}/sso/certificates/{id}/download\">Download</a> · <a href=\"/admin/apps/{app}/sso\">Back to SSO</a></p>",
        subject = escape(d.subject()),
        from = time::stamp(d.not_before()),
        until = time::stamp_ago(d.not_after(), app.clock.now()),
        sha1 = d.sha1_fingerprint(),
        sha256 = d.sha256_fingerprint(),
        pem = escape(&c.certificate),
        app = a.id,
        id = c.id,
    );
    app_page(&a, "sso", &body)
}

pub(super) async fn download_certificate(
    State(app): State<Shared>,
    Path((id, cert)): Path<(String, String)>,
) -> Response {
    let Some((a, c)) = certificate(&app, &id, &cert) else {
        return error(StatusCode::NOT_FOUND, "There is no such certificate.");
    };
    (
        [
            (header::CONTENT_TYPE, "application/x-pem-file".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"onelogin-{}-{}.pem\"", a.id, c.id),
            ),
        ],
        c.certificate,
    )
        .into_response()
}
