//! Text, JSON and Markdown renderings of the table, of roles and of a `can-i` answer.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use super::alias::ALIASES;
use super::resolve::service_and_method;
use super::table::{Mask, ADMIN, DESCRIPTIONS, FALLBACK, FALLBACK_LINES, RULES, SENSITIVE_TYPES};
use super::{
    least_privilege, short_commit, summary, Target, Via, SENSITIVE_READS, TABLE_SOURCE,
    TALOS_COMMIT, TALOS_VERSION, UNLISTED_METHODS,
};
use crate::roles::{RoleSet, BUILT_IN};

const WIDTH: usize = 100;

/// What a mask may and may not call: the table's methods, and apart from them the two rules
/// that are not one method (sensitive reads, the fallback for unlisted methods).
struct Listing {
    allowed: Vec<&'static str>,
    denied: Vec<&'static str>,
    maintenance_only: Vec<&'static str>,
    allowed_rules: Vec<&'static str>,
    denied_rules: Vec<&'static str>,
}

fn listing(have: Mask) -> Listing {
    let mut l = Listing {
        allowed: Vec::new(),
        denied: Vec::new(),
        maintenance_only: Vec::new(),
        allowed_rules: Vec::new(),
        denied_rules: Vec::new(),
    };
    for rule in RULES {
        for m in rule.methods {
            if rule.effective().intersects(have) {
                l.allowed.push(m.name);
            } else {
                l.denied.push(m.name);
            }
            if rule.maintenance_only.intersects(have) && !rule.effective().intersects(have) {
                l.maintenance_only.push(m.name);
            }
        }
    }
    for (label, mask) in [(SENSITIVE_READS, ADMIN), (UNLISTED_METHODS, FALLBACK)] {
        if mask.intersects(have) {
            l.allowed_rules.push(label);
        } else {
            l.denied_rules.push(label);
        }
    }
    l
}

/// Built-in roles of `roles` in Talos's order, each alone.
fn each_role(roles: &RoleSet) -> impl Iterator<Item = (usize, &'static str)> + '_ {
    BUILT_IN
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, r)| roles.contains(r))
}

/// `label` then the items, comma-separated and wrapped, continuation lines indented to match.
fn wrap(out: &mut String, label: &str, items: &[String]) {
    let indent = " ".repeat(label.chars().count() + 1);
    let mut line = label.to_string();
    let mut fresh = false;
    for (i, item) in items.iter().enumerate() {
        let sep = if i + 1 < items.len() { "," } else { "" };
        if !fresh && line.chars().count() + 1 + item.len() + sep.len() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = indent.clone();
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        fresh = false;
        line.push_str(item);
        line.push_str(sep);
    }
    out.push_str(&line);
    out.push('\n');
}

/// Methods grouped by service (`machine.MachineService: Dmesg, Logs`), pseudo entries alone.
fn grouped(out: &mut String, indent: &str, methods: &[&'static str]) {
    if methods.is_empty() {
        let _ = writeln!(out, "{indent}(nothing)");
    }
    let mut by_service: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut others = Vec::new();
    for m in methods {
        match m.strip_prefix('/').and_then(|s| s.split_once('/')) {
            Some((service, name)) if !m.contains(' ') => by_service
                .entry(service)
                .or_default()
                .push(name.to_string()),
            _ => others.push(*m),
        }
    }
    for (service, mut names) in by_service {
        names.sort();
        wrap(out, &format!("{indent}{service}:"), &names);
    }
    for o in others {
        let _ = writeln!(out, "{indent}{o}");
    }
}

/// `auth roles` as text: for each built-in role of `roles` (in Talos's order), its purpose, the
/// summary line and what it may and may not call.
pub fn roles_text(roles: &RoleSet) -> String {
    let mut out = String::new();
    for (n, (i, role)) in each_role(roles).enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let l = listing(Mask(1 << i));
        let one = RoleSet::parse_lenient([role]);
        let _ = writeln!(
            out,
            "{role}: {}",
            DESCRIPTIONS.get(i).copied().unwrap_or_default()
        );
        let _ = writeln!(out, "  summary: {}", summary(&one));
        let _ = writeln!(out, "  may call ({} methods):", l.allowed.len());
        grouped(
            &mut out,
            "    ",
            &[&l.allowed[..], &l.allowed_rules].concat(),
        );
        let _ = writeln!(out, "  may not call ({} methods):", l.denied.len());
        grouped(&mut out, "    ", &[&l.denied[..], &l.denied_rules].concat());
        if !l.maintenance_only.is_empty() {
            let _ = writeln!(
                out,
                "  in maintenance mode only ({}):",
                l.maintenance_only.len()
            );
            grouped(&mut out, "    ", &l.maintenance_only);
        }
        if role == "os:impersonator" {
            let _ = writeln!(
                out,
                "  note: a caller with this role that sends talos-role gRPC metadata gets the roles \
                 it names (spec roles-authz.md §3.1)"
            );
        }
    }
    out
}

/// `auth roles -o json`: the same as [`roles_text`] as a JSON document.
pub fn roles_json(roles: &RoleSet) -> String {
    let list: Vec<_> = each_role(roles)
        .map(|(i, role)| {
            let l = listing(Mask(1 << i));
            json!({
                "role": role,
                "description": DESCRIPTIONS.get(i).copied().unwrap_or_default(),
                "summary": summary(&RoleSet::parse_lenient([role])),
                "allowed": l.allowed,
                "denied": l.denied,
                "maintenance_only": l.maintenance_only,
                "allowed_rules": l.allowed_rules,
                "denied_rules": l.denied_rules,
            })
        })
        .collect();
    let doc = json!({ "talos_commit": TALOS_COMMIT, "roles": list });
    format!("{doc:#}\n")
}

fn diff_lists(from: &RoleSet, to: &RoleSet) -> (Vec<&'static str>, Vec<&'static str>) {
    let all = |l: Listing| [l.allowed, l.allowed_rules].concat();
    let (a, b) = (all(listing(Mask::of(from))), all(listing(Mask::of(to))));
    let added = b.iter().copied().filter(|m| !a.contains(m)).collect();
    let removed = a.iter().copied().filter(|m| !b.contains(m)).collect();
    (added, removed)
}

fn set_name(set: &RoleSet) -> String {
    if set.is_empty() {
        "(no roles)".to_string()
    } else {
        set.strings().join(",")
    }
}

/// `auth roles --diff FROM TO`: what `to` may call that `from` may not (`+`) and the reverse (`-`).
pub fn diff_text(from: &RoleSet, to: &RoleSet) -> String {
    let (added, removed) = diff_lists(from, to);
    let mut out = format!(
        "{} -> {}: {} added, {} removed\n",
        set_name(from),
        set_name(to),
        added.len(),
        removed.len()
    );
    for m in added {
        let _ = writeln!(out, "+ {m}");
    }
    for m in removed {
        let _ = writeln!(out, "- {m}");
    }
    out
}

/// `auth roles --diff FROM TO -o json`.
pub fn diff_json(from: &RoleSet, to: &RoleSet) -> String {
    let (added, removed) = diff_lists(from, to);
    let doc = json!({
        "talos_commit": TALOS_COMMIT,
        "from": from.strings(),
        "to": to.strings(),
        "added": added,
        "removed": removed,
    });
    format!("{doc:#}\n")
}

fn call_label(call: &super::Call) -> String {
    match call.sensitive_type() {
        Some(t) => format!("{} ({t})", call.method()),
        None => call.method().to_string(),
    }
}

fn roles_list(set: &RoleSet) -> String {
    if set.is_empty() {
        "(none)".to_string()
    } else {
        set.strings().join(", ")
    }
}

/// `auth can-i` answer: `yes`/`no`, then the roles asked about, each call with the roles it
/// needs, and the roles that would allow the whole request.
pub fn can_i_text(target: &Target, roles: &RoleSet, roles_from: &str) -> String {
    let allowed = target.allows(roles);
    let mut out = format!("{}\n", if allowed { "yes" } else { "no" });
    let _ = writeln!(out, "roles: {} ({roles_from})", roles_list(roles));
    let how = match target.via() {
        Via::Method => "gRPC method",
        Via::Alias => "talosctl verb",
        Via::Get { .. } => "talosctl get",
        Via::Unlisted { .. } => "gRPC method not in the table",
    };
    let _ = writeln!(out, "{}: {how}", target.name());
    let labels: Vec<String> = target.calls().iter().map(call_label).collect();
    let needs: Vec<String> = target
        .calls()
        .iter()
        .map(|c| roles_list(&c.allowed_roles()))
        .collect();
    let w1 = labels.iter().map(String::len).max().unwrap_or(0);
    let w2 = needs.iter().map(String::len).max().unwrap_or(0);
    let have = Mask::of(roles);
    for ((label, need), call) in labels.iter().zip(&needs).zip(target.calls()) {
        let verdict = if call.mask().intersects(have) {
            "allowed"
        } else {
            "denied"
        };
        let _ = writeln!(out, "  {label:w1$}  {need:w2$}  {verdict}");
    }
    let by = target.allowed_by();
    let least = least_privilege(std::slice::from_ref(target)).unwrap_or_default();
    if by.is_empty() {
        let _ = writeln!(out, "allowed for: {} together", roles_list(&least));
    } else {
        let _ = writeln!(
            out,
            "allowed for: {} (least privilege: {})",
            roles_list(&by),
            roles_list(&least)
        );
    }
    out
}

/// "`a`, `b`" for Markdown.
fn code_list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn role_columns() -> impl Iterator<Item = (usize, &'static str)> {
    // os:impersonator is in no rule: no column.
    BUILT_IN
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, r)| *r != "os:impersonator")
}

fn methods_cell(methods: &[&'static str]) -> String {
    let mut by_service: Vec<(&str, Vec<&str>)> = Vec::new();
    for m in methods {
        let (service, name) = m
            .strip_prefix('/')
            .and_then(|s| s.split_once('/'))
            .unwrap_or((m, ""));
        match by_service.iter_mut().find(|(s, _)| *s == service) {
            Some((_, names)) => names.push(name),
            None => by_service.push((service, vec![name])),
        }
    }
    by_service
        .iter()
        .map(|(service, names)| match names.as_slice() {
            [one] => format!("`/{service}/{one}`"),
            _ => format!("`/{service}/`: {}", code_list(names)),
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn marks(effective: Mask, maintenance: Mask) -> String {
    role_columns()
        .map(|(i, _)| {
            let bit = Mask(1 << i);
            if effective.intersects(bit) {
                " ✓ |"
            } else if maintenance.intersects(bit) {
                " (✓) |"
            } else {
                " |"
            }
        })
        .collect()
}

/// The README's "Roles" block: the table, the sensitive resource types and the talosctl verbs,
/// rendered from the data `auth can-i` and `--for` use.
pub fn markdown_table() -> String {
    let methods: usize = RULES.iter().map(|r| r.methods.len()).sum();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Read from siderolabs/talos `{}` (Talos {TALOS_VERSION}), `{TABLE_SOURCE}`: {methods} \
         methods in {} rows, and a fallback for every other method. ✓ = allowed on a configured \
         node; (✓) = accepted only in maintenance mode, where apid makes every client `os:reader` \
         anyway. Rendered by `talmint::authz::markdown_table()`; a test keeps this block in step.",
        short_commit(),
        RULES.len()
    );
    out.push('\n');
    out.push_str("| methods |");
    for (_, role) in role_columns() {
        let _ = write!(out, " `{role}` |");
    }
    out.push_str(" notes | `machined.go` lines |\n|---|");
    for _ in role_columns() {
        out.push_str(":-:|");
    }
    out.push_str("---|---|\n");
    for rule in RULES {
        let names: Vec<&str> = rule.methods.iter().map(|m| m.name).collect();
        let _ = writeln!(
            out,
            "| {} |{} {} | {} |",
            methods_cell(&names),
            marks(rule.effective(), rule.maintenance_only),
            rule.note.unwrap_or(""),
            rule.lines
        );
    }
    let _ = writeln!(
        out,
        "| any other method |{} fallback | {FALLBACK_LINES} |",
        marks(FALLBACK, Mask(0))
    );
    out.push('\n');
    out.push_str(
        "`os:impersonator` is in no rule: a caller holding it that sends `talos-role` gRPC \
         metadata gets the roles it names (that is how nodes proxy requests), so it is never \
         chosen by `--for`.\n\n",
    );
    let mut singular: Vec<String> = SENSITIVE_TYPES
        .iter()
        .filter_map(|t| super::resolve::cosi_names(t).get(1).cloned())
        .collect();
    singular.sort();
    let _ = writeln!(
        out,
        "Sensitive resource types (reading them needs `os:admin`, `internal/app/resources/access.go`): \
         {}.\n",
        code_list(&singular)
    );
    out.push_str(
        "talosctl verbs understood by `talmint auth can-i` and `--for`, with the calls talosctl \
         makes for them by default (`cmd/talosctl/cmd/talos/`). Also accepted: full gRPC names, \
         `Service/Method`, a bare method name one service has, and `get TYPE`.\n\n",
    );
    out.push_str("| verb | calls | least privilege |\n|---|---|---|\n");
    for a in ALIASES {
        let mut verb = format!("`{}`", a.verb);
        if !a.also.is_empty() {
            let _ = write!(verb, " ({})", code_list(a.also));
        }
        let calls: Vec<String> = a
            .calls()
            .iter()
            .map(|c| match c.sensitive_type() {
                Some(t) => format!("`{}` of `{t}`", service_and_method(c.method())),
                None => format!("`{}`", service_and_method(c.method())),
            })
            .collect();
        let target = Target {
            name: a.verb.to_string(),
            via: Via::Alias,
            calls: a.calls(),
        };
        let least = least_privilege(std::slice::from_ref(&target)).unwrap_or_default();
        let _ = writeln!(
            out,
            "| {verb} | {} | {} |",
            calls.join(", "),
            code_list(&least.strings())
        );
    }
    out
}
