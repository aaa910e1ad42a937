//! From what a user types to the calls Talos authorises.
//!
//! Order: a full gRPC name (`/pkg.Service/Method`, as Talos's authorizer sees it), a talosctl verb
//! of the alias list, `get TYPE`, `Service/Method` (package optional, any case), a bare method name
//! that only one service has. Resource types are matched as talosctl does
//! (`pkg/machinery/client/resources.go:20-44`: case-insensitive against the type's ID and
//! aliases, which cosi-project/runtime `pkg/resource/meta/spec/resource_definition.go` derives
//! from the type name).

use super::alias::ALIASES;
use super::table::{RULES, SENSITIVE_TYPES};
use super::{AuthzError, Call, Target, Via};

const COSI_READS: [&str; 3] = [
    "/cosi.resource.State/Get",
    "/cosi.resource.State/List",
    "/cosi.resource.State/Watch",
];

pub(crate) fn resolve(input: &str) -> Result<Target, AuthzError> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.starts_with('/') {
        return full_name(&name);
    }
    if let Some(target) = alias(&name) {
        return Ok(target);
    }
    if let Some(rest) = name.strip_prefix("get ") {
        if let Some(resource) = rest.split(' ').find(|w| !w.starts_with('-')) {
            return Ok(get(resource));
        }
    }
    if name.contains('/') {
        return service_method(&name);
    }
    bare(&name)
}

fn listed() -> impl Iterator<Item = &'static str> {
    RULES.iter().flat_map(|r| r.methods.iter().map(|m| m.name))
}

fn method(full: &'static str) -> Target {
    Target {
        name: full.to_string(),
        via: Via::Method,
        calls: vec![Call {
            method: full.to_string(),
            sensitive_type: None,
        }],
    }
}

fn unknown(name: &str) -> AuthzError {
    AuthzError::UnknownMethod {
        name: name.to_string(),
        suggestions: suggestions(name),
    }
}

/// `/pkg.Service/Method`: listed, or unlisted and then authorised by the fallback.
fn full_name(name: &str) -> Result<Target, AuthzError> {
    if let Some(full) = listed().find(|m| *m == name) {
        return Ok(method(full));
    }
    let well_formed = name
        .strip_prefix('/')
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(service, m)| identifier(service, true) && identifier(m, false));
    if !well_formed {
        return Err(unknown(name));
    }
    let lower = name.to_lowercase();
    let mut near: Vec<(usize, &str)> = listed()
        .map(|m| (distance(&lower, &m.to_lowercase()), m))
        .filter(|(d, _)| *d <= 2)
        .collect();
    near.sort();
    let near = near.into_iter().map(|(_, m)| m.to_string()).collect();
    Ok(Target {
        name: name.to_string(),
        via: Via::Unlisted { near },
        calls: vec![Call {
            method: name.to_string(),
            sensitive_type: None,
        }],
    })
}

fn identifier(s: &str, dots: bool) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || (dots && c == '.'))
}

fn alias(name: &str) -> Option<Target> {
    ALIASES
        .iter()
        .find(|a| a.verb == name || a.also.contains(&name))
        .map(|a| Target {
            name: a.verb.to_string(),
            via: Via::Alias,
            calls: a.calls(),
        })
}

fn get(resource: &str) -> Target {
    let sensitive = sensitive_type(resource);
    Target {
        name: format!("get {resource}"),
        via: Via::Get {
            resource: resource.to_string(),
            sensitive,
        },
        calls: COSI_READS
            .iter()
            .map(|m| Call {
                method: (*m).to_string(),
                sensitive_type: sensitive,
            })
            .collect(),
    }
}

/// The sensitive type `word` names, if any.
pub(crate) fn sensitive_type(word: &str) -> Option<&'static str> {
    SENSITIVE_TYPES
        .iter()
        .copied()
        .find(|t| cosi_names(t).iter().any(|n| n.eq_ignore_ascii_case(word)))
}

/// Every name a resource type answers to: its ID (the lowercased type), then the aliases
/// cosi-project/runtime derives: singular, plural, plural with leading parts of the suffix, and
/// the initials of the name (plus an `s` unless they end in `S`).
pub(crate) fn cosi_names(resource_type: &str) -> Vec<String> {
    let mut names = vec![resource_type.to_lowercase()];
    let Some((plural, suffix)) = resource_type.split_once('.') else {
        return names;
    };
    let lower = plural.to_lowercase();
    let singular = match lower.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => lower.strip_suffix('s').unwrap_or(&lower).to_string(),
    };
    names.push(singular);
    names.push(lower.clone());
    let parts: Vec<&str> = suffix.split('.').collect();
    for i in 1..parts.len() {
        let head = parts.get(..i).unwrap_or_default().join(".");
        names.push(format!("{lower}.{head}"));
    }
    let initials: String = plural.chars().filter(char::is_ascii_uppercase).collect();
    if initials.len() > 1 {
        names.push(initials.to_lowercase());
        if !initials.ends_with('S') {
            names.push(format!("{}s", initials.to_lowercase()));
        }
    }
    names
}

/// `Service/Method` or `pkg.Service/Method`, any case.
fn service_method(name: &str) -> Result<Target, AuthzError> {
    let Some((service, m)) = name.split_once('/') else {
        return Err(unknown(name));
    };
    let matches: Vec<&'static str> = listed()
        .filter(|full| {
            let Some((full_service, full_method)) =
                full.strip_prefix('/').and_then(|f| f.split_once('/'))
            else {
                return false;
            };
            let short_service = full_service.rsplit('.').next().unwrap_or(full_service);
            full_method.eq_ignore_ascii_case(m)
                && (full_service.eq_ignore_ascii_case(service)
                    || short_service.eq_ignore_ascii_case(service))
        })
        .collect();
    one_of(name, matches)
}

/// A bare method name, any case.
fn bare(name: &str) -> Result<Target, AuthzError> {
    let matches: Vec<&'static str> = listed()
        .filter(|full| {
            full.rsplit('/')
                .next()
                .is_some_and(|m| m.eq_ignore_ascii_case(name))
        })
        .collect();
    one_of(name, matches)
}

fn one_of(name: &str, matches: Vec<&'static str>) -> Result<Target, AuthzError> {
    match matches.as_slice() {
        [] => Err(unknown(name)),
        [only] => Ok(method(only)),
        _ => Err(AuthzError::AmbiguousMethod {
            name: name.to_string(),
            candidates: matches.iter().map(|m| service_and_method(m)).collect(),
        }),
    }
}

/// Up to three known names close to `name`: talosctl verbs first, then `Service/Method`.
fn suggestions(name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    if lower.is_empty() {
        return Vec::new();
    }
    let full = lower.starts_with('/');
    let verbs = ALIASES
        .iter()
        .flat_map(|a| std::iter::once(a.verb).chain(a.also.iter().copied()))
        .map(|v| (v.to_string(), 0u8));
    let methods = listed().map(|m| {
        let shown = if full {
            m.to_string()
        } else {
            service_and_method(m)
        };
        (shown, 1u8)
    });
    let (in_service, in_method) = split_service(&lower);
    let limit = (in_method.chars().count() / 4).max(2);
    let mut scored: Vec<(usize, u8, String)> = verbs
        .chain(methods)
        .filter(|(shown, _)| !full || shown.starts_with('/'))
        .filter_map(|(shown, kind)| {
            let cand = shown.to_lowercase();
            let (service, method) = split_service(&cand);
            let same_service = match (in_service, service) {
                (Some(a), Some(b)) => short_service(a) == short_service(b),
                (Some(_), None) => false,
                (None, _) => true,
            };
            let by_method = if same_service {
                distance(in_method, method)
            } else {
                usize::MAX
            };
            let d = distance(&lower, &cand).min(by_method);
            let contains = lower.chars().count() >= 4 && cand.contains(&lower);
            (d <= limit || contains).then_some((d, kind, shown))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.2 == b.2);
    scored.into_iter().take(3).map(|(_, _, s)| s).collect()
}

/// `(Some("/machine.machineservice"), "reboot")` from `/machine.machineservice/reboot`.
fn split_service(name: &str) -> (Option<&str>, &str) {
    match name.rsplit_once('/') {
        Some((service, method)) => (Some(service), method),
        None => (None, name),
    }
}

/// The service without its package or leading slash.
fn short_service(service: &str) -> &str {
    let service = service.trim_start_matches('/');
    service.rsplit('.').next().unwrap_or(service)
}

/// `MachineService/Reboot` from `/machine.MachineService/Reboot`.
pub(crate) fn service_and_method(full: &str) -> String {
    let no_slash = full.strip_prefix('/').unwrap_or(full);
    match no_slash.split_once('/') {
        Some((service, m)) => {
            format!("{}/{m}", service.rsplit('.').next().unwrap_or(service))
        }
        None => no_slash.to_string(),
    }
}

/// Levenshtein distance over characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (cb, window) in b.iter().zip(prev.windows(2)) {
            let left = cur.last().copied().unwrap_or(0);
            if let [diag, up] = window {
                cur.push((diag + usize::from(ca != *cb)).min(up + 1).min(left + 1));
            }
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}
