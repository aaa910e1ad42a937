//! No panic on any input: every parser gets the Talos fixtures, the project's own outputs, the
//! committed fuzz regressions, and deterministic random mutations of all of them.

mod common;

use std::path::Path;

fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if let Some(dir) = common::talos_dir() {
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.metadata().unwrap().len() < 200_000 {
                    out.push(std::fs::read(&p).unwrap());
                }
            }
        }
    }
    let regressions = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    if let Ok(rd) = std::fs::read_dir(&regressions) {
        for target in rd {
            for f in std::fs::read_dir(target.unwrap().path()).unwrap() {
                let p = f.unwrap().path();
                if !p.file_name().unwrap().to_string_lossy().starts_with('.') {
                    out.push(std::fs::read(p).unwrap());
                }
            }
        }
    }
    let key = talmint::pki::PrivateKey::generate(talmint::pki::KeyAlgorithm::EcdsaP256).unwrap();
    out.push(key.to_pem().unwrap().as_bytes().to_vec());
    out.push(b"entries:\n  - name: a\n    roles: [os:reader]\n    ttl: 8h\n".to_vec());
    out.push(b"roles:\n  os:admin:\n    maxTTL: 8h\nendpoints: [a]\n".to_vec());
    out.push(b"reboot,etcd snapshot,/machine.MachineService/Reboot,get mc".to_vec());
    out
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, data: &[u8]) -> Vec<u8> {
    let mut d = data.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(5) {
            0 if !d.is_empty() => {
                let i = rng.below(d.len());
                d[i] = rng.next() as u8;
            }
            1 if !d.is_empty() => {
                let i = rng.below(d.len());
                d.truncate(i);
            }
            2 => {
                let i = rng.below(d.len() + 1);
                let tokens: [&[u8]; 8] = [
                    b":",
                    b"\n  ",
                    b"- ",
                    b"{",
                    b"'",
                    b"\"",
                    b"LS0tLS1CRUdJTi",
                    b"-----BEGIN ",
                ];
                let t = tokens[rng.below(tokens.len())];
                d.splice(i..i, t.iter().copied());
            }
            3 if d.len() > 8 => {
                let a = rng.below(d.len());
                let b = (a + rng.below(64)).min(d.len());
                d.drain(a..b);
            }
            _ => d.reverse(),
        }
    }
    d
}

#[test]
fn parsers_never_panic_on_fixtures_and_mutations() {
    let targets: [fn(&[u8]); 8] = [
        talmint::fuzzing::bundle,
        talmint::fuzzing::talosconfig,
        talmint::fuzzing::pem,
        talmint::fuzzing::csr,
        talmint::fuzzing::policy,
        talmint::fuzzing::inspect,
        talmint::fuzzing::authz,
        talmint::fuzzing::patch,
    ];
    let seeds = seeds();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut runs = 0;
    for seed in &seeds {
        for target in targets {
            target(seed);
            for _ in 0..12 {
                target(&mutate(&mut rng, seed));
                runs += 1;
            }
        }
    }
    assert!(runs >= 12 * targets.len() * 3, "{runs}");
}
