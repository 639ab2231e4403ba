//! Each GPU primitive against its CPU twin at several sizes, side by side in
//! one run, as a Markdown table (medians of repeated runs; the GPU column is
//! kernel time to completion, data already resident, one-entry read-back
//! subtracted). Run on the machine whose numbers you want:
//!
//! ```sh
//! cargo run --release -p tessera-stdlib --example gpu_bench
//! ```

use std::time::Instant;
use tessera::device::{Gpu, GpuMatrix, GpuOperator, Precision};
use tessera::{covariance, rope, Matrix, Monarch, Operator, Rng};

/// The median of `reps` timings of `f`, in milliseconds.
fn median_ms(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[reps / 2]
}

/// GPU time of `f` (which returns a device matrix) to completion: waits by
/// reading one entry back, then subtracts what that read-back costs alone.
fn gpu_ms(reps: usize, f: impl Fn() -> GpuMatrix) -> f64 {
    let probe = f();
    let sync = median_ms(reps, || {
        probe.region(&[0], &[0]).expect("read-back");
    });
    let total = median_ms(reps, || {
        f().region(&[0], &[0]).expect("read-back");
    });
    (total - sync).max(0.0)
}

fn row(name: &str, size: &str, p: Precision, cpu: f64, gpu: f64, bytes: f64) {
    println!(
        "| {name} | {size} | {} | {cpu:.3} | {gpu:.3} | {:.2}× | {:.1} |",
        p.name(),
        cpu / gpu.max(1e-9),
        bytes / (gpu.max(1e-9) * 1e-3) / 1e9
    );
}

fn main() {
    let gpu = match Gpu::get() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let mut rng = Rng::seeded(1);
    let reps = 7;
    println!("device: {} (f64: {})\n", gpu.name(), gpu.supports_f64());
    println!("| primitive | size | precision | cpu ms | gpu ms | cpu/gpu | gpu GB/s |");
    println!("|---|---|---|---|---|---|---|");
    let precisions: Vec<Precision> =
        if gpu.supports_f64() { vec![Precision::F32, Precision::F64] } else { vec![Precision::F32] };
    for &p in &precisions {
        let word = if p == Precision::F32 { 4.0 } else { 8.0 };
        for n in [512, 2048] {
            let (a, b) = (rng.randn(n, n), rng.randn(n, n));
            let (ga, gb) = (GpuMatrix::upload(&a, p).unwrap(), GpuMatrix::upload(&b, p).unwrap());
            let cpu = median_ms(reps, || {
                a.add(&b).unwrap();
            });
            let g = gpu_ms(reps, || ga.zip(&gb, tessera::device::Binary::Add, "+").unwrap());
            row("A + B", &format!("{n}×{n}"), p, cpu, g, 3.0 * word * (n * n) as f64);
        }
        for n in [256, 1024] {
            let (a, b) = (rng.randn(n, n), rng.randn(n, n));
            let (ga, gb) = (GpuMatrix::upload(&a, p).unwrap(), GpuMatrix::upload(&b, p).unwrap());
            let cpu = median_ms(3, || {
                a.matmul(&b).unwrap();
            });
            let g = gpu_ms(3, || ga.matmul(&gb).unwrap());
            row("A * B", &format!("{n}³"), p, cpu, g, 3.0 * word * (n * n) as f64);
        }
        for (m, k) in [(32, 32), (64, 64)] {
            let op = Operator::kron(vec![rng.randn(m, m).into(), rng.randn(k, k).into()]).unwrap();
            let x = rng.randn(m * k, 1);
            let (gop, gx) = (GpuOperator::upload(&op, p).unwrap(), GpuMatrix::upload(&x, p).unwrap());
            let cpu = median_ms(reps, || {
                op.apply(&x).unwrap();
            });
            let g = gpu_ms(reps, || gop.apply(&gx).unwrap());
            row(
                "Kronecker apply",
                &format!("{m}⊗{k}, n={}", m * k),
                p,
                cpu,
                g,
                word * (3 * m * k + m * m + k * k) as f64,
            );
        }
        let monarch = Operator::Monarch(Monarch::random(4096, 64, &mut rng).unwrap());
        let x = rng.randn(4096, 1);
        let (gop, gx) = (GpuOperator::upload(&monarch, p).unwrap(), GpuMatrix::upload(&x, p).unwrap());
        let cpu = median_ms(reps, || {
            monarch.apply(&x).unwrap();
        });
        let g = gpu_ms(reps, || gop.apply(&gx).unwrap());
        row("Monarch apply", "n=4096, 64 blocks", p, cpu, g, word * (2 * 4096 * 64 + 4 * 4096) as f64);
        let tokens = rng.randn(4096, 128);
        let positions: Vec<f64> = (0..4096).map(f64::from).collect();
        let gt = GpuMatrix::upload(&tokens, p).unwrap();
        let cpu = median_ms(reps, || {
            rope::rope_apply(&tokens, &positions, 1e4).unwrap();
        });
        let g = gpu_ms(reps, || gt.rope_apply(&positions, 1e4).unwrap());
        row("rope_apply", "4096×128", p, cpu, g, 3.0 * word * (4096 * 128) as f64);
        let samples = rng.randn(100_000, 64);
        let gs = GpuMatrix::upload(&samples, p).unwrap();
        let cpu = median_ms(3, || {
            covariance::cov(&samples).unwrap();
        });
        let g = gpu_ms(3, || gs.cov().unwrap());
        row("cov", "100000×64", p, cpu, g, word * (100_000 * 64) as f64);
        let cam = Matrix::from_fn(3, 4, |i, j| {
            if i == j {
                800.0
            } else if j == 3 {
                5.0
            } else {
                0.1
            }
        });
        let world = rng.randn(1_000_000, 3);
        let (gc, gw) = (GpuMatrix::upload(&cam, p).unwrap(), GpuMatrix::upload(&world, p).unwrap());
        let cpu = median_ms(3, || {
            tessera::camera::project(&cam, &world).unwrap();
        });
        let g = gpu_ms(3, || gw.project(&gc).unwrap());
        row("project", "10⁶ points", p, cpu, g, word * 5e6);
    }
}
