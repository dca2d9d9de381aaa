//! `asana-harness schema KIND`: prints the JSON Schema of a file kind the harness reads, as
//! `harness_scenario::schema` derives it (the same text is committed beside the files).

use std::process::ExitCode;

use clap::Args;
use harness_scenario::schema::FileKind;

#[derive(Args)]
pub struct SchemaArgs {
    /// `scenario`, `fixture` (a fake-Asana fixture) or `onelogin-directory` (a OneLogin
    /// directory file).
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(FileKind::ALL.map(FileKind::name)))]
    kind: String,
}

pub fn run(args: SchemaArgs) -> anyhow::Result<ExitCode> {
    let kind = FileKind::from_name(&args.kind).expect("clap accepts only the kinds' names");
    print!("{}", kind.schema_text());
    Ok(ExitCode::SUCCESS)
}
