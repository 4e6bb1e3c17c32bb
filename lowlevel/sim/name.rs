// SPDX-License-Identifier: GPL-2.0

//! A short, fixed-size copy of a name read from an image (a design or part name), kept without
//! allocating and shown in debugfs.

/// A name of at most [`Name::CAPACITY`] bytes (longer ones are cut).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name {
    bytes: [u8; Name::CAPACITY],
    len: usize,
}

impl Name {
    /// The most bytes kept.
    pub const CAPACITY: usize = 64;

    /// No name.
    pub const EMPTY: Self = Self {
        bytes: [0; Self::CAPACITY],
        len: 0,
    };

    /// A copy of `name` up to its first NUL, cut at [`Self::CAPACITY`] bytes.
    pub fn new(name: &[u8]) -> Self {
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        let len = end.min(Self::CAPACITY);
        let mut bytes = [0; Self::CAPACITY];
        bytes[..len].copy_from_slice(&name[..len]);
        Self { bytes, len }
    }

    /// The name's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Whether there is no name.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl core::fmt::Display for Name {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for &b in self.as_bytes() {
            let c = if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '?'
            };
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl core::fmt::Debug for Name {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "\"{self}\"")
    }
}

impl kernel::fmt::Display for Name {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(self, f)
    }
}
