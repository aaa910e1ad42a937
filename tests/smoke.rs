mod common;

#[test]
fn help_lists_gen_and_config() {
    let env = common::Env::new();
    let out = env.ok(&["--help"]);
    let text = common::stdout(&out);
    assert!(text.contains("gen") && text.contains("config"), "{text}");
}

/// `(name, summary)` of each command a `--help` text lists (clap's `Commands:` section).
fn listed(help: &str) -> Vec<(String, String)> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let (name, summary) = l.trim().split_once(' ')?;
            let summary = summary.trim();
            let summary = summary.split(" [alias").next().unwrap_or(summary);
            (name != "help").then(|| (name.to_string(), summary.to_string()))
        })
        .collect()
}

/// Subcommands' arguments are built only for the one that runs (clap's `defer`, for start-up
/// time). Every command's own help must still open with the summary its parent lists, and the
/// whole tree must be reachable.
#[test]
fn every_command_help_opens_with_the_summary_its_parent_lists() {
    let env = common::Env::new();
    let mut todo = vec![Vec::<String>::new()];
    let mut seen = 0;
    while let Some(path) = todo.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = common::stdout(&env.ok(&args));
        for (name, summary) in listed(&help) {
            let mut child = path.clone();
            child.push(name);
            let mut args: Vec<&str> = child.iter().map(String::as_str).collect();
            args.push("--help");
            let own = common::stdout(&env.ok(&args));
            assert_eq!(own.lines().next(), Some(summary.as_str()), "{child:?}");
            seen += 1;
            todo.push(child);
        }
    }
    assert!(seen >= 29, "only {seen} commands found");
}
