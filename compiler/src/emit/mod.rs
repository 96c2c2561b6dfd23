//! Emitters: a checked topology compiled to files that deploy it.
//!
//! [`plan::plan`] makes every decision once (names, order, secrets, derived blocks); each
//! target spells the plan in its own syntax: `terraform/` (azurerm 4.x), `bicep/` (ARM), and
//! later `runtime/` (the bundled proxy's config). [`emit`] returns the files as a sorted map
//! of output-relative paths to bytes; only the CLI writes them, all at once.
//!
//! **Invariant:** deterministic: the same model gives the same bytes (no timestamps, no
//! absolute paths, no hash-map order); secrets never appear in a file, only parameter names.

pub mod bicep;
pub mod plan;
pub mod policy_xml;
pub mod runtime;
pub mod symbols;
pub mod terraform;

use crate::diagnostics::Diagnostic;
use crate::graph::Graph;
use crate::model::Model;
use crate::syntax::World;
use std::collections::BTreeMap;

/// Emitted files: output-relative path (`bicep/main.bicep`) → contents.
pub type Files = BTreeMap<String, Vec<u8>>;

/// What `gatehouse compile` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Terraform,
    Bicep,
    /// The bundled runtime's config (`runtime/runtime.json`).
    Runtime,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Terraform, Target::Bicep, Target::Runtime];
    /// What deploys to Azure: the default of `gatehouse compile`.
    pub const DEPLOY: [Target; 2] = [Target::Terraform, Target::Bicep];

    /// The target's directory under OUT, and its `--target` name.
    pub fn name(self) -> &'static str {
        match self {
            Target::Terraform => "terraform",
            Target::Bicep => "bicep",
            Target::Runtime => "runtime",
        }
    }

    pub fn parse(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The result of emitting: files, or the diagnostics that stopped a target (GH711 and other
/// settings a target cannot express).
#[derive(Debug, Default)]
pub struct Emitted {
    pub files: Files,
    pub diagnostics: Vec<Diagnostic>,
}

/// Emits `targets` for a checked model. `world` provides the bytes of the public certificate
/// files the plan copies next to the code.
pub fn emit(model: &Model, graph: &Graph, world: &dyn World, targets: &[Target]) -> Emitted {
    emit_with(
        model,
        graph,
        world,
        targets,
        &runtime::RuntimeOptions::default(),
    )
}

/// [`emit`] with the runtime target's options (where it finds the topology's key files).
pub fn emit_with(
    model: &Model,
    graph: &Graph,
    world: &dyn World,
    targets: &[Target],
    runtime_options: &runtime::RuntimeOptions,
) -> Emitted {
    let plan = plan::plan(model, graph);
    let mut emitted = Emitted::default();
    let copies = copied_files(&plan, world, &mut emitted.diagnostics);
    // The targets spell the same plan independently: one thread each.
    let outputs: Vec<(Target, Files, Vec<Diagnostic>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .iter()
            .map(|&target| {
                let plan = &plan;
                scope.spawn(move || match target {
                    Target::Terraform => {
                        (target, terraform::emit(plan), terraform::diagnostics(plan))
                    }
                    Target::Bicep => (target, bicep::emit(plan), Vec::new()),
                    Target::Runtime => {
                        let (files, diagnostics) =
                            runtime::emit(plan, graph, world, runtime_options);
                        (target, files, diagnostics)
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    for (target, files, diagnostics) in outputs {
        emitted.diagnostics.extend(diagnostics);
        for (path, bytes) in files {
            emitted
                .files
                .insert(format!("{}/{path}", target.name()), bytes);
        }
        // The runtime writes its own PEM copies of what it trusts.
        if target == Target::Runtime {
            continue;
        }
        for (path, bytes) in &copies {
            emitted
                .files
                .insert(format!("{}/{path}", target.name()), bytes.clone());
        }
    }
    crate::model::complete_traces(model, &mut emitted.diagnostics);
    emitted
}

/// The codes emitters report (settings a target cannot express), for `explain` and `allow`.
pub fn codes() -> Vec<&'static crate::diagnostics::CodeInfo> {
    vec![
        &terraform::PASSTHROUGH_NEEDS_API_2025,
        &runtime::RUNTIME_CANNOT_EXECUTE,
        &runtime::RUNTIME_NEEDS_LOCAL_KEY,
    ]
}

/// Reads the public certificate files the plan copies. A file that cannot be read was already
/// reported by the certificate checks; it is reported again here only if it vanished since.
fn copied_files(plan: &plan::Plan, world: &dyn World, out: &mut Vec<Diagnostic>) -> Files {
    let mut files = Files::new();
    for (path, copy) in &plan.files {
        match world.read(&copy.from) {
            Ok(bytes) => {
                files.insert(path.clone(), bytes);
            }
            Err(e) => out.push(
                Diagnostic::new(
                    &crate::diagnostics::codes::FILE_NOT_FOUND,
                    copy.span,
                    format!(
                        "cannot read `{}` to copy it into the output: {e}",
                        copy.from
                    ),
                )
                .with_help("make sure the file exists and is readable, then compile again"),
            ),
        }
    }
    files
}
