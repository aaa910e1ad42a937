mod common;

#[test]
fn help_lists_gen_and_config() {
    let env = common::Env::new();
    let out = env.ok(&["--help"]);
    let text = common::stdout(&out);
    assert!(text.contains("gen") && text.contains("config"), "{text}");
}
