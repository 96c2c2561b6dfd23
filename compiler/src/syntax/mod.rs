//! Reading and parsing: the files of a topology and of the modules it calls, as hcl-edit trees.
//!
//! [`load_tree`] reads the `*.hcl` files of the root directory through a [`World`], parses them,
//! and follows `module` blocks (whose `source` must be a literal local path, as in Terraform)
//! into module instances, refusing cycles. It reports unreadable, binary and malformed files as
//! diagnostics and keeps going. The [`World`] is the only way any stage reaches the file system
//! or the environment.

pub mod path;
pub mod world;

pub use world::{FsWorld, MemoryWorld, World};

use crate::diagnostics::{codes, Diagnostic, Label};
use crate::source::{FileId, Sources, Span};
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body, Structure};

/// Largest file gatehouse reads, in bytes.
pub const MAX_FILE_SIZE: usize = 16 * 1024 * 1024;

/// Deepest chain of module calls followed.
pub const MAX_MODULE_DEPTH: usize = 16;

/// Index of a module instance in [`Tree::instances`]; 0 is the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceId(pub usize);

/// One parsed file.
#[derive(Debug)]
pub struct ParsedFile {
    pub file: FileId,
    pub body: Body,
}

/// Where a module instance was called from.
#[derive(Debug, Clone)]
pub struct CallSite {
    pub parent: InstanceId,
    pub name: String,
    /// The `module "name"` header in the caller.
    pub span: Span,
}

/// The root topology or one module instance.
#[derive(Debug)]
pub struct Instance {
    pub id: InstanceId,
    /// Module names from the root, e.g. `["edge"]` for `module.edge`.
    pub module_path: Vec<String>,
    /// Directory of the instance's files, relative to the topology root.
    pub dir: String,
    pub files: Vec<ParsedFile>,
    pub call: Option<CallSite>,
    /// Child instances by module block name.
    pub children: Vec<(String, InstanceId)>,
}

impl Instance {
    /// `module.a.module.b.` prefix of addresses in this instance (empty for the root).
    pub fn address_prefix(&self) -> String {
        self.module_path
            .iter()
            .map(|m| format!("module.{m}."))
            .collect()
    }

    pub fn child(&self, name: &str) -> Option<InstanceId> {
        self.children
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }
}

/// Everything read for one topology.
#[derive(Debug, Default)]
pub struct Tree {
    pub sources: Sources,
    pub instances: Vec<Instance>,
}

impl Tree {
    pub fn instance(&self, id: InstanceId) -> &Instance {
        &self.instances[id.0]
    }

    /// The spans of the module calls that lead to `id`, outermost first.
    pub fn trace(&self, id: InstanceId) -> Vec<Label> {
        let mut trace = Vec::new();
        let mut current = self.instance(id);
        while let Some(call) = &current.call {
            trace.push(Label::new(call.span, format!("in module `{}`", call.name)));
            current = self.instance(call.parent);
        }
        trace.reverse();
        trace
    }
}

/// Reads the topology in `root` (a path relative to the world's root, `""` or `"."` for the
/// world's root itself) and every module it calls.
pub fn load_tree(world: &dyn World, root: &str, diagnostics: &mut Vec<Diagnostic>) -> Tree {
    let mut tree = Tree::default();
    let root = path::normalize(root);
    let files = read_dir(world, &root, &mut tree.sources, diagnostics, None);
    tree.instances.push(Instance {
        id: InstanceId(0),
        module_path: Vec::new(),
        dir: root.clone(),
        files,
        call: None,
        children: Vec::new(),
    });
    load_children(
        world,
        &mut tree,
        InstanceId(0),
        &mut vec![root],
        diagnostics,
    );
    tree
}

/// Reads and parses every `*.hcl` file directly in `dir`. `caller` is the span of the module
/// block that named the directory, for diagnostics about the directory itself.
fn read_dir(
    world: &dyn World,
    dir: &str,
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
    caller: Option<Span>,
) -> Vec<ParsedFile> {
    let names = match world.hcl_files(dir) {
        Ok(names) => names,
        Err(err) => {
            let span = caller.unwrap_or_else(|| Span::file_start(sources.add(shown(dir), "")));
            diagnostics.push(
                Diagnostic::new(
                    &codes::FILE_NOT_FOUND,
                    span,
                    format!("cannot read directory `{}`: {err}", shown(dir)),
                )
                .with_help("point gatehouse at a directory that holds the topology's .hcl files"),
            );
            return Vec::new();
        }
    };
    if names.is_empty() {
        let (span, help) = match caller {
            Some(span) => (span, "a module source must be a directory with .hcl files"),
            None => (
                Span::file_start(sources.add(shown(dir), "")),
                "a topology is the set of *.hcl files directly in one directory; point gatehouse at that directory",
            ),
        };
        let code = if caller.is_some() {
            &codes::MODULE_SOURCE
        } else {
            &codes::NO_HCL_FILES
        };
        diagnostics.push(
            Diagnostic::new(code, span, format!("no .hcl files in `{}`", shown(dir)))
                .with_help(help),
        );
        return Vec::new();
    }
    let mut parsed = Vec::new();
    for name in names {
        let file_path = path::join(dir, &name);
        if let Some(file) = read_hcl_file(world, &file_path, sources, diagnostics) {
            parsed.push(file);
        }
    }
    parsed
}

fn shown(dir: &str) -> String {
    if dir.is_empty() {
        ".".to_string()
    } else {
        dir.to_string()
    }
}

/// Reads one file as text: a diagnostic when it is unreadable, binary, not UTF-8 or too large.
pub fn read_text(
    world: &dyn World,
    file_path: &str,
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
    named_at: Option<Span>,
) -> Option<FileId> {
    let not_text = |sources: &mut Sources, message: String| {
        let span = named_at.unwrap_or_else(|| Span::file_start(sources.add(file_path, "")));
        Diagnostic::new(&codes::NOT_TEXT, span, message)
    };
    let bytes = match world.read(file_path) {
        Ok(bytes) => bytes,
        Err(err) => {
            let span = named_at.unwrap_or_else(|| Span::file_start(sources.add(file_path, "")));
            diagnostics.push(
                Diagnostic::new(
                    &codes::FILE_NOT_FOUND,
                    span,
                    format!("cannot read `{file_path}`: {err}"),
                )
                .with_help(
                    "check the path; it is relative to the directory of the file that names it",
                ),
            );
            return None;
        }
    };
    if bytes.len() > MAX_FILE_SIZE {
        let d = not_text(
            sources,
            format!(
                "`{file_path}` is {} bytes, more than the {} bytes gatehouse reads",
                bytes.len(),
                MAX_FILE_SIZE
            ),
        );
        diagnostics.push(d.with_help("split the topology into several files or modules"));
        return None;
    }
    if bytes.contains(&0) {
        let d = not_text(sources, format!("`{file_path}` is a binary file, not text"));
        diagnostics.push(d.with_help("keep only text in this file"));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(sources.add(file_path, text)),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let d = not_text(
                sources,
                format!("`{file_path}` is not UTF-8 (invalid byte at offset {offset})"),
            );
            diagnostics.push(d.with_help("save the file as UTF-8"));
            None
        }
    }
}

fn read_hcl_file(
    world: &dyn World,
    file_path: &str,
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ParsedFile> {
    let file = read_text(world, file_path, sources, diagnostics, None)?;
    let body = parse(sources, file, diagnostics)?;
    Some(ParsedFile { file, body })
}

/// Parses one added file; a syntax error becomes a GH001 diagnostic at the error's offset.
pub fn parse(sources: &Sources, file: FileId, diagnostics: &mut Vec<Diagnostic>) -> Option<Body> {
    let text = &sources.get(file).text;
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Some(body),
        Err(err) => {
            let offset = err.location().offset().min(text.len());
            let end = text[offset..]
                .chars()
                .next()
                .map_or(offset, |c| offset + c.len_utf8());
            let message = first_line(err.message());
            diagnostics.push(
                Diagnostic::new(
                    &codes::HCL_SYNTAX,
                    Span::new(file, offset..end),
                    format!("invalid HCL: {message}"),
                )
                .with_help("fix the syntax here; `gatehouse fmt` can only format files that parse"),
            );
            None
        }
    }
}

fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or("syntax error").trim();
    if line.is_empty() {
        "syntax error".to_string()
    } else {
        line.trim_end_matches('.').to_string()
    }
}

/// Converts an hcl-edit span into a [`Span`] of `file`; `fallback` when the node has none.
pub fn span_of(file: FileId, node: &impl hcl_edit::Span, fallback: Span) -> Span {
    node.span().map_or(fallback, |r| Span::new(file, r))
}

fn load_children(
    world: &dyn World,
    tree: &mut Tree,
    parent: InstanceId,
    stack: &mut Vec<String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let calls = module_calls(tree, parent, diagnostics);
    for call in calls {
        let source_dir = path::normalize(&path::join(&tree.instance(parent).dir, &call.source));
        if let Some(pos) = stack.iter().position(|d| *d == source_dir) {
            let message = if pos + 1 == stack.len() {
                format!(
                    "module `{}` calls the module it is declared in (`{}`)",
                    call.name,
                    shown(&source_dir)
                )
            } else {
                let chain: Vec<&str> = stack[pos..].iter().map(|s| shown_str(s)).collect();
                format!(
                    "module `{}` leads back to `{}`: {} → {}",
                    call.name,
                    shown(&source_dir),
                    chain.join(" → "),
                    shown(&source_dir)
                )
            };
            diagnostics.push(
                Diagnostic::new(&codes::MODULE_CYCLE, call.source_span, message)
                    .with_primary_message("this source leads back to a module on the call path")
                    .with_trace(tree.trace(parent))
                    .with_help("remove this module block or point it at another module"),
            );
            continue;
        }
        if stack.len() > MAX_MODULE_DEPTH {
            diagnostics.push(
                Diagnostic::new(
                    &codes::MODULE_CYCLE,
                    call.source_span,
                    format!("module calls nest deeper than {MAX_MODULE_DEPTH} levels"),
                )
                .with_trace(tree.trace(parent))
                .with_help("flatten the module structure"),
            );
            continue;
        }
        let files = read_dir(
            world,
            &source_dir,
            &mut tree.sources,
            diagnostics,
            Some(call.source_span),
        );
        let id = InstanceId(tree.instances.len());
        let mut module_path = tree.instance(parent).module_path.clone();
        module_path.push(call.name.clone());
        tree.instances.push(Instance {
            id,
            module_path,
            dir: source_dir.clone(),
            files,
            call: Some(CallSite {
                parent,
                name: call.name.clone(),
                span: call.block_span,
            }),
            children: Vec::new(),
        });
        tree.instances[parent.0].children.push((call.name, id));
        stack.push(source_dir);
        load_children(world, tree, id, stack, diagnostics);
        stack.pop();
    }
}

fn shown_str(dir: &str) -> &str {
    if dir.is_empty() {
        "."
    } else {
        dir
    }
}

struct ModuleCallSource {
    name: String,
    source: String,
    source_span: Span,
    block_span: Span,
}

/// The `module` blocks of an instance with a valid literal `source`; others are reported.
fn module_calls(
    tree: &Tree,
    id: InstanceId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ModuleCallSource> {
    let mut calls = Vec::new();
    let mut seen: Vec<(String, Span)> = Vec::new();
    let instance = tree.instance(id);
    for parsed in &instance.files {
        let whole = Span::file_start(parsed.file);
        for structure in parsed.body.iter() {
            let Structure::Block(block) = structure else {
                continue;
            };
            if block.ident.as_str() != "module" {
                continue;
            }
            let Some(label) = block.labels.first() else {
                continue; // reported by the evaluator (missing label)
            };
            let name = label.as_str().to_string();
            // `module "name"`: the header, not the whole block, so that labels stay readable.
            let start = span_of(parsed.file, &block.ident, whole);
            let end = span_of(parsed.file, label, start);
            let block_span = Span {
                file: parsed.file,
                start: start.start,
                end: end.end.max(start.end),
            };
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                diagnostics.push(
                    Diagnostic::new(
                        &codes::DUPLICATE_NAME,
                        block_span,
                        format!("module `{name}` is declared twice"),
                    )
                    .with_label(*first, "first declared here")
                    .with_trace(tree.trace(id))
                    .with_help("give each module block a unique name"),
                );
                continue;
            }
            seen.push((name.clone(), block_span));
            let source = block.body.iter().find_map(|s| match s {
                Structure::Attribute(a) if a.key.as_str() == "source" => Some(a),
                _ => None,
            });
            let Some(source) = source else {
                diagnostics.push(
                    Diagnostic::new(
                        &codes::MISSING_REQUIRED,
                        block_span,
                        format!("module `{name}` has no `source`"),
                    )
                    .with_trace(tree.trace(id))
                    .with_help("add `source = \"../../modules/<name>\"`"),
                );
                continue;
            };
            let source_span = span_of(parsed.file, &source.value, block_span);
            let Expression::String(literal) = &source.value else {
                diagnostics.push(
                    Diagnostic::new(
                        &codes::MODULE_SOURCE,
                        source_span,
                        format!("the source of module `{name}` must be a literal string"),
                    )
                    .with_trace(tree.trace(id))
                    .with_help("module sources are resolved before evaluation; write the path as a quoted string"),
                );
                continue;
            };
            let text = literal.value().to_string();
            if !(text.starts_with("./") || text.starts_with("../")) {
                diagnostics.push(
                    Diagnostic::new(
                        &codes::MODULE_SOURCE,
                        source_span,
                        format!("module source `{text}` is not a local path"),
                    )
                    .with_trace(tree.trace(id))
                    .with_help("gatehouse modules are local directories: start the path with `./` or `../`"),
                );
                continue;
            }
            calls.push(ModuleCallSource {
                name,
                source: text,
                source_span,
                block_span,
            });
        }
    }
    calls
}
