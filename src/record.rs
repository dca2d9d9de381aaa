//! `asana-harness record`: the recording SCIM proxy (`harness-record`), from the command line.
//! It runs until Ctrl-C or SIGTERM; the capture is complete after every exchange, so stopping
//! it loses nothing.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::BadInput;

/// How long a stop waits for exchanges in flight.
const IN_FLIGHT: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Args)]
pub struct RecordArgs {
    /// Where the proxy listens; give the SCIM client `http://ADDR` as its SCIM base URL.
    #[arg(long, value_name = "ADDR")]
    listen: SocketAddr,
    /// The SCIM server's base URL, e.g. https://app.asana.com/api/1.0/scim: each request's path
    /// and query are joined onto it.
    #[arg(long, value_name = "URL")]
    to: String,
    /// The HAR 1.2 file written (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    har: PathBuf,
    /// A CA certificate (PEM) to trust besides the system's, for an HTTPS upstream with its
    /// own CA (`serve --tls`).
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// Replace emails and people's names consistently, so the capture can be shared.
    #[arg(long)]
    pseudonymize: bool,
}

pub async fn run(args: RecordArgs) -> anyhow::Result<ExitCode> {
    let ca_cert = crate::read_ca_cert(args.ca_cert.as_ref())?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| {
            BadInput(format!(
                "cannot listen on {} (--listen): {e}; choose a free port",
                args.listen
            ))
        })?;
    // Registered before the banner: a signal sent as soon as it is read must stop us cleanly.
    let stop = crate::serve::shutdown_signal();
    let upstream = args.to.clone();
    let options = harness_record::Options {
        to: args.to,
        har: args.har.clone(),
        ca_cert,
        pseudonymize: args.pseudonymize,
        max_body: harness_record::DEFAULT_MAX_BODY,
    };
    let recording = harness_record::start(listener, options).map_err(|e| match e {
        harness_record::RecordError::Listen(_) | harness_record::RecordError::Client(_) => {
            anyhow::Error::new(e)
        }
        other => BadInput(other.to_string()).into(),
    })?;
    println!(
        "Recording {} -> {} into {}.",
        recording.origin(),
        upstream,
        args.har.display()
    );
    println!("SCIM base URL for the client: {}", recording.origin());
    println!("Stop with Ctrl-C: every exchange is in the file as soon as it is answered.");
    stop.await;
    // Exchanges in flight get a moment to finish and be written, as `serve` gives requests.
    if tokio::time::timeout(IN_FLIGHT, recording.stop())
        .await
        .is_err()
    {
        eprintln!(
            "warning: exchanges still in flight after {} s were not recorded",
            IN_FLIGHT.as_secs()
        );
    }
    println!("Stopped; the capture is in {}.", args.har.display());
    Ok(ExitCode::SUCCESS)
}
