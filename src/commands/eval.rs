//! `okite eval`: evaluate snapshots in parallel and stream the report in input order.

use std::io::{BufWriter, IsTerminal, Write};

use okite_runtime::formats::{Human, Json, Junit, ReportWriter, Sarif};
use okite_runtime::{DecodeOptions, Engine, EvalOptions, PolicyInfo, SnapshotReport, Status, Waivers};
use rayon::prelude::*;

use crate::args::{ColorArg, EvalArgs, EvalFormat};
use crate::inputs::{self, Input};
use crate::output::{Exit, color_stderr, color_stdout, usage_error};
use crate::{policy, sources};

/// Snapshots evaluated per parallel chunk; bounds memory to the snapshots in flight.
const CHUNK_PER_JOB: usize = 8;

/// A progress bar is shown (on a terminal) from this many snapshots.
const PROGRESS_FROM: usize = 50;

pub fn run(args: &EvalArgs, color: ColorArg) -> Exit {
    let loaded = match policy::load(args.policy.as_deref(), color_stderr(color)) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let engine = match policy::engine(&loaded, &args.engine) {
        Ok(e) => e,
        Err(e) => return usage_error(e),
    };
    let waivers = match &args.waivers {
        None => None,
        Some(path) => {
            let shown = sources::display(path);
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return usage_error(format!("cannot read `{shown}`: {}", sources::io_reason(&e))),
            };
            match Waivers::parse(&text, engine.program()) {
                Ok(w) => Some(w),
                Err(issues) => {
                    for i in issues {
                        eprintln!("error: {shown}: {i}");
                    }
                    return Exit::Usage;
                }
            }
        }
    };
    if let Some(unknown) = args.rules.iter().find(|o| {
        !engine
            .program()
            .rules
            .iter()
            .any(|r| &r.name == *o || r.name.rsplit('.').next() == Some(o.as_str()) || r.clauses.contains(o))
    }) {
        return usage_error(format!("no rule or clause `{unknown}` in {}", loaded.name));
    }
    let inputs = match inputs::discover(&args.snapshots) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };

    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(BufWriter::new(f)),
            Err(e) => {
                return usage_error(format!("cannot write `{}`: {}", sources::display(path), sources::io_reason(&e)));
            }
        },
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let human_color = args.output.is_none() && color_stdout(color);
    let mut writer: Box<dyn ReportWriter> = match args.format {
        EvalFormat::Human => Box::new(Human::new(human_color, args.verbose)),
        EvalFormat::Json => Box::new(Json::default()),
        EvalFormat::Junit => Box::new(Junit),
        EvalFormat::Sarif => Box::new(Sarif::default()),
    };
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(jobs).stack_size(16 * 1024 * 1024).build() {
        Ok(p) => p,
        Err(e) => return usage_error(format!("cannot start {jobs} worker threads: {e}")),
    };
    let options = EvalOptions { as_of: args.as_of, explain: args.explain, ..EvalOptions::default() };
    let decode = DecodeOptions { strict: args.strict };
    let program = engine.program();
    let info = PolicyInfo { name: loaded.name.clone(), rules: program.rules.len() };

    let progress = (inputs.len() >= PROGRESS_FROM && std::io::stderr().is_terminal())
        .then(|| indicatif::ProgressBar::new(inputs.len() as u64));
    let mut failures = 0usize;
    let mut unreadable = 0usize;
    let result = (|| -> std::io::Result<()> {
        writer.begin(&mut *out, &info, program)?;
        for chunk in inputs.chunks(jobs * CHUNK_PER_JOB) {
            let reports: Vec<SnapshotReport> = pool.install(|| {
                chunk
                    .par_iter()
                    .map(|i| evaluate_one(&engine, i, decode, &options, waivers.as_ref(), &args.rules))
                    .collect()
            });
            for r in &reports {
                failures += usize::from(r.has_failures());
                unreadable += usize::from(r.status == Status::InputError);
                writer.snapshot(&mut *out, r, program)?;
            }
            if let Some(p) = &progress {
                p.inc(chunk.len() as u64);
            }
        }
        writer.end(&mut *out)?;
        out.flush()
    })();
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return usage_error(format!("cannot write the report: {e}"));
    }
    if args.format != EvalFormat::Human || args.output.is_some() {
        let to = args.output.as_ref().map(|p| format!(" → {}", sources::display(p))).unwrap_or_default();
        eprintln!("evaluated {} snapshot(s): {failures} with failures, {unreadable} unreadable{to}", inputs.len());
    }
    if unreadable > 0 {
        Exit::Usage
    } else if failures > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

fn evaluate_one(
    engine: &Engine,
    input: &Input,
    decode: DecodeOptions,
    options: &EvalOptions,
    waivers: Option<&Waivers>,
    only: &[String],
) -> SnapshotReport {
    let snapshot = match inputs::decode(engine, input, decode) {
        Ok(s) => s,
        Err(issues) => return SnapshotReport::input_error(input.source(), issues),
    };
    let mut report = engine.evaluate(&snapshot, options);
    report.source = input.source().to_string();
    if !only.is_empty() {
        report.results.retain(|r| {
            let short = r.rule.rsplit('.').next().unwrap_or(&r.rule);
            only.iter().any(|o| o == &r.rule || o == short || r.clauses.contains(o))
        });
        report.summary = okite_runtime::Summary::of(&report.results);
    }
    if let Some(w) = waivers {
        w.apply(&mut report);
    }
    report
}
