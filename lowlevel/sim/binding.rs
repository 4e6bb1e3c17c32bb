// SPDX-License-Identifier: GPL-2.0

//! How a simulated device of `lowlevel/` binds, the same for every driver there: to a faux
//! device of the driver module's own (unless the module's `faux` parameter is 0), and to the
//! platform devices of the device-tree nodes compatible with the driver (the overlay flow).
//! A driver declares its names with [`sim_driver!`](crate::sim_driver), implements
//! [`SimDevice`] for the state of one bound device and names [`SimModule`] as its module type.

use crate::fpga;
use core::marker::PhantomData;
use kernel::{
    device::{
        Bound,
        Core,
        Device, //
    },
    driver,
    faux,
    of,
    platform,
    prelude::*, //
};

/// The driver of a simulated device: its names, the device-tree nodes it binds to, and whether
/// it drives a device on a faux device of its own. A driver declares it with [`sim_driver!`].
///
/// [`sim_driver!`]: crate::sim_driver
pub trait SimDriver {
    /// The name of the module's faux device.
    const FAUX_NAME: &'static CStr;
    /// The driver's name (and the platform driver's).
    const DRIVER_NAME: &'static CStr;
    /// The device-tree compatibles the driver binds to.
    const OF_ID_TABLE: of::IdTable<()>;

    /// Whether the module drives a device on its own faux device (its `faux` parameter).
    fn on_faux() -> bool;
}

/// Declares the [`SimDriver`] of the module's simulated device `$device`: its faux device
/// `$faux`, used unless the module's `faux` parameter is 0, its driver name `$driver`, and the
/// device-tree compatible `$compatible` it binds to.
///
/// A macro, because the device table and the parameter are statics of the driver's module.
#[macro_export]
macro_rules! sim_driver {
    ($device:ty, faux: $faux:expr, driver: $driver:expr, compatible: $compatible:expr $(,)?) => {
        ::kernel::of_device_table!(
            OF_TABLE,
            MODULE_OF_TABLE,
            (),
            [(::kernel::of::DeviceId::new($compatible), ())]
        );

        impl $crate::sim::binding::SimDriver for $device {
            const FAUX_NAME: &'static ::kernel::prelude::CStr = $faux;
            const DRIVER_NAME: &'static ::kernel::prelude::CStr = $driver;
            const OF_ID_TABLE: ::kernel::of::IdTable<()> = &OF_TABLE;

            fn on_faux() -> bool {
                *module_parameters::faux.value() != 0
            }
        }
    };
}

/// The state of one bound simulated device: its manager or bridge registration, its debugfs
/// files. Dropping it unregisters them.
pub trait SimDevice: SimDriver + Send + Sync + Sized + 'static {
    /// Binds `dev`, for `module`: registers its manager or bridge, which the parent must be
    /// bound for.
    fn bind(dev: &Device<Bound>, module: &'static ThisModule) -> Result<Self>;
}

/// A simulated device on a faux device of the module's own (dropped in this order).
struct OnFaux<T> {
    _sim: T,
    _dev: faux::Registration,
}

impl<T: SimDevice> OnFaux<T> {
    fn new(module: &'static ThisModule) -> Result<Self> {
        let dev = faux::Registration::new(T::FAUX_NAME, None)?;
        Ok(Self {
            _sim: T::bind(fpga::faux_device(&dev), module)?,
            _dev: dev,
        })
    }
}

/// The platform driver of simulated devices described in the device tree.
pub struct OfDriver<T>(PhantomData<T>);

impl<T: SimDevice> platform::Driver for OfDriver<T> {
    type IdInfo = ();
    type Data<'bound> = T;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(T::OF_ID_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let dev: &Device<Core<'_>> = pdev.as_ref();
        T::bind(dev, &crate::THIS_MODULE)
    }
}

/// The module of a simulated-device driver.
#[pin_data]
pub struct SimModule<T: SimDevice> {
    #[pin]
    _driver: driver::Registration<platform::Adapter<OfDriver<T>>>,
    _faux: Option<OnFaux<T>>,
}

impl<T: SimDevice> kernel::InPlaceModule for SimModule<T> {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            _faux: if T::on_faux() {
                Some(OnFaux::new(module)?)
            } else {
                None
            },
            _driver <- driver::Registration::new(T::DRIVER_NAME, module),
        })
    }
}
