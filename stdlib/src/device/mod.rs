//! The GPU: one device per process, found once, driven through cubecl.
//!
//! - Runtime: cubecl's wgpu runtime (Vulkan, Metal, DirectX; on a machine
//!   without a GPU, Mesa's software Vulkan device lavapipe), or CUDA when the
//!   crate is built with the `cuda` feature.
//! - [`Gpu::get`] finds the adapter on first use and remembers the answer —
//!   including "there is none", as a one-sentence [`Error::Device`].
//! - [`GpuMatrix`] is a matrix resident on the device, row-major, in `f64`
//!   where the adapter supports it and `f32` otherwise (or on request).
//!   Operations on device matrices launch kernels and return device matrices:
//!   nothing comes back to the host until [`GpuMatrix::download`] (or
//!   [`GpuMatrix::region`], which brings back only the entries asked for).
//! - Every kernel compiles once per process (cubecl caches the pipeline by
//!   kernel, element type and comptime arguments) and has a CPU twin in
//!   [`crate::Matrix`] that the tests hold it against.
//! - [`transfers`] counts host↔device copies, so tests can prove that a chain
//!   of device operations makes no round trip.

use cubecl::prelude::{CubeCount, CubeDim};

/// Launches `$kernel` for the precision `$p` with the turbofish it needs.
macro_rules! launch {
    ($p:expr, $kernel:ident($client:expr, $count:expr, $dim:expr $(, $arg:expr)* $(,)?)) => {
        match $p {
            $crate::device::Precision::F32 => unsafe { $crate::device::kernels::$kernel::launch_unchecked::<f32>($client, $count, $dim $(, $arg)*) },
            $crate::device::Precision::F64 => unsafe { $crate::device::kernels::$kernel::launch_unchecked::<f64>($client, $count, $dim $(, $arg)*) },
        }
    };
}

/// Cubes of [`kernels::CUBE`] units covering `n` entries (at least one, so empty launches stay valid).
pub(crate) fn cubes(n: usize) -> CubeCount {
    CubeCount::Static((n as u32).div_ceil(kernels::CUBE).max(1), 1, 1)
}

pub(crate) fn line() -> CubeDim {
    CubeDim::new_1d(kernels::CUBE)
}

mod kernels;
mod matrix;
mod quantized;
mod structured;

pub use kernels::{Binary, Unary};
pub use matrix::{GpuMatrix, Precision};
pub use quantized::GpuQuantized;
pub use structured::GpuOperator;

use crate::error::{Error, Result};
use cubecl::client::Client;
use cubecl::ir::{ElemType, FloatKind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The device: its cubecl client, name and whether it computes in `f64`.
pub struct Gpu {
    client: Client,
    name: String,
    f64: bool,
}

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpu").field("name", &self.name).field("f64", &self.f64).finish()
    }
}

static GPU: OnceLock<std::result::Result<Gpu, String>> = OnceLock::new();

impl Gpu {
    /// The process's GPU, found on the first call (about 50 ms; later calls
    /// are free). Errors, every time, if there is none.
    pub fn get() -> Result<&'static Gpu> {
        GPU.get_or_init(Gpu::discover).as_ref().map_err(|reason| Error::Device { reason: reason.clone() })
    }

    #[cfg(feature = "cuda")]
    fn discover() -> std::result::Result<Gpu, String> {
        let device = cubecl::Device::cuda(0).map_err(|e| format!("no CUDA device: {e}"))?;
        Ok(Gpu::on(device))
    }

    #[cfg(not(feature = "cuda"))]
    fn discover() -> std::result::Result<Gpu, String> {
        let device = cubecl::Device::wgpu(Default::default()).map_err(|_| {
            "no GPU adapter was found (on Linux without a GPU, install Mesa's software Vulkan driver: \
             apt install mesa-vulkan-drivers)"
                .to_string()
        })?;
        Ok(Gpu::on(device))
    }

    fn on(device: cubecl::Device) -> Gpu {
        let client = device.client();
        let name = client.properties().identity.name.clone();
        let f64 = !client.properties().type_usage(ElemType::Float(FloatKind::F64)).is_empty();
        Gpu { client, name, f64 }
    }

    /// The adapter's name, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)` or `NVIDIA H100`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the device computes in `f64`.
    pub fn supports_f64(&self) -> bool {
        self.f64
    }

    /// Whether `exp`, `log`, `sin`, `cos`, `tan` and powers exist in `f64` on
    /// the device: on CUDA yes; through wgpu no (Vulkan's, Metal's and
    /// WebGPU's shader functions are 32-bit; their 64-bit results came back
    /// wrong), so the kernels compute those from `+ − × ÷` instead.
    pub fn f64_functions(&self) -> bool {
        self.f64 && cfg!(feature = "cuda")
    }

    /// The precision a matrix gets by default: `f64` where supported.
    pub fn default_precision(&self) -> Precision {
        if self.f64 {
            Precision::F64
        } else {
            Precision::F32
        }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }
}

static UPLOADS: AtomicU64 = AtomicU64::new(0);
static DOWNLOADS: AtomicU64 = AtomicU64::new(0);

/// Host→device and device→host copies made so far by this process.
pub fn transfers() -> (u64, u64) {
    (UPLOADS.load(Ordering::Relaxed), DOWNLOADS.load(Ordering::Relaxed))
}

fn count_upload() {
    UPLOADS.fetch_add(1, Ordering::Relaxed);
}

fn count_download() {
    DOWNLOADS.fetch_add(1, Ordering::Relaxed);
}
