//! Which talosconfig file a command uses (`spec/talosconfig.md` §3, talos
//! `pkg/machinery/client/config/path.go:24-118`, `config.go:91-117`).
//!
//! An explicit path (`--talosconfig`) is used as is and is always writable. Otherwise the default
//! list is tried in order and the first path that exists wins: `$TALOSCONFIG` (when set),
//! `$TALOS_HOME/config` (when `TALOS_HOME` is absolute) or `$HOME/.talos/config`, then the
//! read-only service-account mount `/var/run/secrets/talos.dev/config`. When none exists the first
//! writable one is used (and created empty by [`super::store`]).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The read-only talosconfig a Talos service account mounts into a pod
/// (`constants.ServiceAccountMountPath` + `config`, `constants.go:1274`).
pub const SERVICE_ACCOUNT_PATH: &str = "/var/run/secrets/talos.dev/config";

/// `$HOME/.talos`, the default Talos directory (`constants.TalosDir`).
pub const TALOS_DIR: &str = ".talos";

/// The talosconfig file name inside the Talos directory (`constants.TalosconfigFilename`).
pub const FILE_NAME: &str = "config";

/// A talosconfig location and whether talosctl may write to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigPath {
    /// The file.
    pub path: PathBuf,
    /// `false` only for the service-account mount.
    pub write_allowed: bool,
}

/// The environment path resolution depends on, taken once from the process (never read here).
#[derive(Clone, Debug)]
pub struct PathEnv {
    /// `$TALOSCONFIG`, `Some("")` when set but empty.
    pub talosconfig: Option<OsString>,
    /// `$TALOS_HOME`.
    pub talos_home: Option<OsString>,
    /// `$HOME`.
    pub home: Option<OsString>,
    /// The read-only fallback, [`SERVICE_ACCOUNT_PATH`] except in tests.
    pub service_account: PathBuf,
}

/// Why no talosconfig path could be chosen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// Neither an absolute `TALOS_HOME` nor `HOME` is set (Go's `os.UserHomeDir` message).
    #[error("$HOME is not defined")]
    HomeNotDefined,
}

impl PathEnv {
    /// An environment with only the given variables and the real service-account path.
    pub fn new(
        talosconfig: Option<OsString>,
        talos_home: Option<OsString>,
        home: Option<OsString>,
    ) -> Self {
        PathEnv {
            talosconfig,
            talos_home,
            home,
            service_account: PathBuf::from(SERVICE_ACCOUNT_PATH),
        }
    }

    /// `$TALOS_HOME` when it is set and absolute, else `$HOME/.talos` (`path.go:24-35`).
    ///
    /// # Errors
    /// [`PathError::HomeNotDefined`] when neither is usable.
    pub fn talos_dir(&self) -> Result<PathBuf, PathError> {
        if let Some(dir) = &self.talos_home {
            if Path::new(dir).is_absolute() {
                return Ok(PathBuf::from(dir));
            }
        }
        match &self.home {
            Some(home) if !home.is_empty() => Ok(Path::new(home).join(TALOS_DIR)),
            _ => Err(PathError::HomeNotDefined),
        }
    }

    /// The default paths in priority order (`GetDefaultPaths`, `path.go:38-66`).
    ///
    /// # Errors
    /// [`PathError::HomeNotDefined`], as talosctl fails before looking at `$TALOSCONFIG` too.
    pub fn default_paths(&self) -> Result<Vec<ConfigPath>, PathError> {
        let talos_dir = self.talos_dir()?;
        let mut paths = Vec::with_capacity(3);
        if let Some(p) = &self.talosconfig {
            paths.push(ConfigPath {
                path: PathBuf::from(p),
                write_allowed: true,
            });
        }
        paths.push(ConfigPath {
            path: talos_dir.join(FILE_NAME),
            write_allowed: true,
        });
        paths.push(ConfigPath {
            path: self.service_account.clone(),
            write_allowed: false,
        });
        Ok(paths)
    }
}

/// The talosconfig to use: `explicit` when given and non-empty, else the first default path that
/// exists, else the first writable default path (`firstValidPath`, `path.go:89-118`). Nothing is
/// created here.
///
/// # Errors
/// [`PathError::HomeNotDefined`] when no explicit path is given and no Talos directory is known.
pub fn resolve(explicit: Option<&Path>, env: &PathEnv) -> Result<ConfigPath, PathError> {
    if let Some(p) = explicit.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(ConfigPath {
            path: p.to_path_buf(),
            write_allowed: true,
        });
    }
    let paths = env.default_paths()?;
    if let Some(found) = paths.iter().find(|p| exists(&p.path)) {
        return Ok(found.clone());
    }
    // Talos compat: an empty `$TALOSCONFIG` is "set" but never exists and is skipped as a
    // creation target too (`firstWriteAllowed.Path == ""`, path.go:104), so the Talos directory's
    // file is created instead.
    paths
        .into_iter()
        .find(|p| p.write_allowed && !p.path.as_os_str().is_empty())
        .ok_or(PathError::HomeNotDefined)
}

/// `os.Stat` succeeds: the path exists (following symlinks).
fn exists(path: &Path) -> bool {
    !path.as_os_str().is_empty() && path.metadata().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(root: &Path, talosconfig: Option<&str>, talos_home: Option<&str>) -> PathEnv {
        PathEnv {
            talosconfig: talosconfig.map(OsString::from),
            talos_home: talos_home.map(OsString::from),
            home: Some(root.join("home").into_os_string()),
            service_account: root.join("sa/config"),
        }
    }

    fn touch(p: &Path) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        #[expect(clippy::disallowed_methods, reason = "test fixture set-up")]
        std::fs::write(p, "context: \"\"\ncontexts: {}\n").unwrap();
    }

    #[test]
    fn c7_explicit_path_wins_even_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let e = env(dir.path(), Some("/elsewhere"), None);
        touch(&dir.path().join("home/.talos/config"));
        let got = resolve(Some(Path::new("mine.yaml")), &e).unwrap();
        assert_eq!(got.path, PathBuf::from("mine.yaml"));
        assert!(got.write_allowed);
    }

    #[test]
    fn c7_empty_explicit_path_means_default() {
        let dir = tempfile::tempdir().unwrap();
        let e = env(dir.path(), None, None);
        let got = resolve(Some(Path::new("")), &e).unwrap();
        assert_eq!(got.path, dir.path().join("home/.talos/config"));
    }

    #[test]
    fn c7_first_existing_default_wins() {
        let dir = tempfile::tempdir().unwrap();
        let tc = dir.path().join("tc");
        let e = env(dir.path(), Some(tc.to_str().unwrap()), None);
        // Nothing exists: the first writable one ($TALOSCONFIG) is chosen.
        assert_eq!(resolve(None, &e).unwrap().path, tc);
        // Only the service account exists: it wins, read-only.
        touch(&dir.path().join("sa/config"));
        let sa = resolve(None, &e).unwrap();
        assert_eq!(sa.path, dir.path().join("sa/config"));
        assert!(!sa.write_allowed);
        // ~/.talos/config beats the service account.
        touch(&dir.path().join("home/.talos/config"));
        assert_eq!(
            resolve(None, &e).unwrap().path,
            dir.path().join("home/.talos/config")
        );
        // $TALOSCONFIG beats both once it exists.
        touch(&tc);
        assert_eq!(
            resolve(None, &e).unwrap(),
            ConfigPath {
                path: tc,
                write_allowed: true
            }
        );
    }

    #[test]
    fn c7_talos_home_only_when_absolute() {
        let dir = tempfile::tempdir().unwrap();
        let th = dir.path().join("th");
        let abs = env(dir.path(), None, Some(th.to_str().unwrap()));
        assert_eq!(resolve(None, &abs).unwrap().path, th.join("config"));
        let rel = env(dir.path(), None, Some("relative/dir"));
        assert_eq!(
            resolve(None, &rel).unwrap().path,
            dir.path().join("home/.talos/config")
        );
    }

    #[test]
    fn c7_empty_talosconfig_falls_through_to_talos_dir() {
        let dir = tempfile::tempdir().unwrap();
        let e = env(dir.path(), Some(""), None);
        let got = resolve(None, &e).unwrap();
        assert_eq!(got.path, dir.path().join("home/.talos/config"));
        assert!(got.write_allowed);
    }

    #[test]
    fn missing_home_is_talosctls_error() {
        let e = PathEnv::new(Some("/x".into()), None, None);
        assert_eq!(
            resolve(None, &e).unwrap_err().to_string(),
            "$HOME is not defined"
        );
        let e = PathEnv::new(None, Some("/th".into()), None);
        assert_eq!(resolve(None, &e).unwrap().path, PathBuf::from("/th/config"));
    }
}
