//! Devices: where MLX runs an operation (CPU, or a GPU through Metal or CUDA).

use crate::ffi::handle;
use crate::ffi::mlx_call;
use crate::{Error, Result};

/// The kind of a [`Device`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceType {
    /// The CPU.
    Cpu,
    /// A GPU (Metal on macOS, CUDA on Linux).
    Gpu,
}

handle! {
    /// A device: a type (CPU or GPU) and an index.
    ///
    /// `Device` is `Send + Sync`: it is an immutable (type, index) value on the C++ side.
    pub struct Device(mlx_device) { new: mlx_device_new, free: mlx_device_free }
}

// SAFETY: the C++ `Device` behind the handle is an immutable (type, index) pair; nothing
// mutates it after creation, so sharing or moving it between threads is sound.
unsafe impl Send for Device {}
// SAFETY: as above: every method only reads the immutable value.
unsafe impl Sync for Device {}

/// Serializes mlxrs's reads and writes of MLX's process-wide default device (a plain
/// global in MLX), so two threads changing and reading it through mlxrs never race.
static DEFAULT_DEVICE_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Device {
    /// A device of the given type and index.
    pub fn new(kind: DeviceType, index: i32) -> Self {
        crate::ffi::device_new(kind, index)
    }

    /// The CPU.
    ///
    /// ```
    /// let cpu = mlxrs::Device::cpu();
    /// assert_eq!(cpu.device_type()?, mlxrs::DeviceType::Cpu);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    pub fn cpu() -> Self {
        Device::new(DeviceType::Cpu, 0)
    }

    /// The first GPU. Whether it can be used: [`Device::is_available`].
    pub fn gpu() -> Self {
        Device::new(DeviceType::Gpu, 0)
    }

    /// The process's default device (the GPU where MLX has one, else the CPU).
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    pub fn default_device() -> Result<Self> {
        let _serial = DEFAULT_DEVICE_LOCK
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut d = Device::empty();
        mlx_call!(mlx_get_default_device(d.as_out()))?;
        Ok(d)
    }

    /// Makes `device` the process's default device. Prefer [`Device::scope`], which puts
    /// the previous one back.
    ///
    /// # Errors
    /// MLX's error ([`Error::Backend`]) for a GPU device when MLX has no GPU backend
    /// ("\[set_default_device\] Cannot set gpu device without gpu backend.").
    pub fn set_default(device: &Device) -> Result<()> {
        let _serial = DEFAULT_DEVICE_LOCK
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        mlx_call!(mlx_set_default_device(device.as_raw()))?;
        crate::stream::default_changed();
        Ok(())
    }

    /// Makes this the default device until the returned guard is dropped. The default
    /// device is process-wide: drop nested guards in reverse order (as scopes do), since
    /// each restores the device that was the default when it was made.
    ///
    /// ```
    /// use mlxrs::Device;
    /// let before = Device::default_device()?;
    /// {
    ///     let _guard = Device::cpu().scope()?;
    ///     assert_eq!(Device::default_device()?, Device::cpu());
    /// }
    /// assert_eq!(Device::default_device()?, before);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`Device::set_default`]: MLX's error ([`Error::Backend`]) for a GPU device
    /// when MLX has no GPU backend.
    pub fn scope(&self) -> Result<DeviceGuard> {
        let previous = Device::default_device()?;
        Device::set_default(self)?;
        Ok(DeviceGuard {
            previous,
            _not_send: std::marker::PhantomData,
        })
    }

    /// Whether MLX can run on this device in this build (e.g. `false` for the GPU of the
    /// Linux CPU backend).
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    pub fn is_available(&self) -> Result<bool> {
        let mut avail = false;
        mlx_call!(mlx_device_is_available(&mut avail, self.as_raw()))?;
        Ok(avail)
    }

    /// How many devices of `kind` MLX sees.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    pub fn count(kind: DeviceType) -> Result<usize> {
        let mut n = 0;
        mlx_call!(mlx_device_count(&mut n, kind.to_sys()))?;
        usize::try_from(n).map_err(|_| Error::Backend(format!("negative device count {n}")))
    }

    /// Whether a GPU device is available.
    pub fn gpu_available() -> bool {
        Device::gpu().is_available().unwrap_or(false)
    }

    /// This device's type.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    pub fn device_type(&self) -> Result<DeviceType> {
        let mut t = DeviceType::raw_default();
        mlx_call!(mlx_device_get_type(&mut t, self.as_raw()))?;
        Ok(DeviceType::from_sys(t))
    }

    /// This device's index.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    pub fn index(&self) -> Result<i32> {
        let mut i = 0;
        mlx_call!(mlx_device_get_index(&mut i, self.as_raw()))?;
        Ok(i)
    }
}

impl PartialEq for Device {
    fn eq(&self, other: &Self) -> bool {
        crate::ffi::device_equal(self, other)
    }
}

impl Clone for Device {
    fn clone(&self) -> Self {
        let mut d = Device::empty();
        // Copying a (type, index) value cannot fail short of allocation failure.
        let _ = mlx_call!(mlx_device_set(d.as_out(), self.as_raw()));
        d
    }
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = crate::ffi::MlxString::new();
        match mlx_call!(mlx_device_tostring(s.as_out(), self.as_raw())) {
            Ok(()) => f.write_str(&s.to_string_lossy()),
            Err(_) => f.write_str("Device(?)"),
        }
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// Restores the previous default device when dropped. Made by [`Device::scope`]; bind it
/// to a named variable (`let _guard = ...`), not `_`.
#[must_use = "the previous default device is restored when the guard is dropped"]
pub struct DeviceGuard {
    previous: Device,
    /// A scope belongs to the thread that opened it: not `Send`.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for DeviceGuard {
    fn drop(&mut self) {
        let _ = Device::set_default(&self.previous);
    }
}
