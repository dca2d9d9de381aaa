//! `asana-harness health`: asks each fake's `GET /__admin/health`, so a container's
//! `HEALTHCHECK` or a CI job can wait for the harness without curl. Exit 0 when every fake
//! answers healthy, 1 when one does not.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

#[derive(Args)]
pub struct HealthArgs {
    /// A fake's origin to ask (repeatable); by default both fakes on their default ports.
    #[arg(long = "url", default_values_t = [
        "http://127.0.0.1:7480".to_string(),
        "http://127.0.0.1:7481".to_string(),
    ])]
    urls: Vec<String>,
    /// How long to wait for each answer.
    #[arg(long, default_value = "2", value_name = "SECONDS")]
    timeout: u64,
}

pub async fn run(args: HealthArgs) -> anyhow::Result<ExitCode> {
    let client = harness_tls::client::builder()
        .timeout(Duration::from_secs(args.timeout))
        .build()?;
    let mut healthy = true;
    for url in &args.urls {
        let endpoint = format!("{}/__admin/health", url.trim_end_matches('/'));
        match probe(&client, &endpoint).await {
            Ok(doc) => println!(
                "{url}: {} {} {}, up {} s",
                doc["service"].as_str().unwrap_or("?"),
                doc["version"].as_str().unwrap_or("?"),
                doc["status"].as_str().unwrap_or("?"),
                doc["uptime_seconds"],
            ),
            Err(reason) => {
                healthy = false;
                println!("{url}: unhealthy: {reason}");
            }
        }
    }
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The health document, if the fake answered 200 with `"status": "ok"`; else why not.
async fn probe(client: &reqwest::Client, endpoint: &str) -> Result<serde_json::Value, String> {
    let response = client
        .get(endpoint)
        .send()
        .await
        .map_err(|e| format!("{endpoint} did not answer: {e}"))?;
    let status = response.status();
    let doc: serde_json::Value = response
        .json()
        .await
        .map_err(|e| format!("{endpoint} answered {status}, not a health document: {e}"))?;
    if status.is_success() && doc["status"] == "ok" {
        Ok(doc)
    } else {
        Err(format!("{endpoint} answered {status}: {doc}"))
    }
}
