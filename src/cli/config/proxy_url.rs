//! `config proxy-url [url]`: show or set the proxy URL of the current (or `--context`) context
//! (`cmd/talosctl/cmd/talos/config.go:129-164`).
//!
//! talosctl prints the value with cobra's `cmd.Println`, which goes to stderr; talmint prints it
//! to stdout, where data belongs (`talmint config proxy-url 2>/dev/null` still shows it).

use talmint::talosconfig;

use super::{Ctx, Global};

// `config proxy-url` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "EXAMPLES:
  talmint config proxy-url socks5://localhost:1080
  talmint config proxy-url          # print it
  talmint config proxy-url \"\"       # clear it")]
pub struct Args {
    /// The proxy URL (socks5, http, https or "direct"); "" clears it; omit to print it
    #[arg(value_name = "URL")]
    pub url: Option<String>,
}

/// Run `config proxy-url`.
pub fn run(args: Args, global: &Global, ctx: &Ctx) -> anyhow::Result<()> {
    match args.url {
        None => {
            let config = talosconfig::load(&global.read_target(ctx)?)?;
            let (_, selected) = config.selected(global.context())?;
            ctx.stdout(format!("{}\n", selected.proxy_url).as_bytes())
        }
        Some(url) => talosconfig::update(&global.target(ctx)?, |config| -> anyhow::Result<()> {
            config.selected_mut(global.context())?.1.proxy_url = url.trim().to_string();
            Ok(())
        }),
    }
}
