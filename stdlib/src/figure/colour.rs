//! Colours: the series palette and the heatmap colour maps.

use crate::Matrix;
use plotters::style::colors::colormaps::{ColorMap, ViridisRGB};
use plotters::style::RGBColor;

/// matplotlib's default cycle ("tab10"), so a figure's series have the colours its users know.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// The colour of series `k`.
pub fn series_colour(k: usize) -> RGBColor {
    PALETTE[k % PALETTE.len()]
}

/// How a heatmap turns values into colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColourMap {
    /// viridis from `lo` (dark blue) to `hi` (yellow).
    Sequential {
        /// The value at the dark end; smaller values are clamped to it.
        lo: f64,
        /// The value at the yellow end; larger values are clamped to it.
        hi: f64,
    },
    /// Blue for `-limit`, white for 0, red for `+limit` (for signed data).
    Diverging {
        /// The `|v|` at the ends: `−limit` is full blue, `+limit` full red.
        limit: f64,
    },
}

impl ColourMap {
    /// Diverging and symmetric about zero when the finite values have both
    /// signs; sequential over their range otherwise (a constant matrix gets a
    /// range of width one around its value).
    pub fn for_values(a: &Matrix) -> ColourMap {
        let f = a.as_faer();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for j in 0..a.cols() {
            for &v in f.col(j).iter().filter(|v| v.is_finite()) {
                (lo, hi) = (lo.min(v), hi.max(v));
            }
        }
        if lo > hi {
            return ColourMap::Sequential { lo: 0.0, hi: 1.0 };
        }
        // Ends within ±1e300, so the range's width is a finite number.
        let (lo, hi) = (lo.max(-1e300), hi.min(1e300));
        if lo < 0.0 && hi > 0.0 {
            return ColourMap::Diverging { limit: hi.max(-lo) };
        }
        if hi - lo <= 1e-12 * lo.abs().max(hi.abs()) || hi - lo < 1e-200 {
            let half = (1e-3 * lo.abs()).max(0.5);
            return ColourMap::Sequential { lo: lo - half, hi: hi + half };
        }
        ColourMap::Sequential { lo, hi }
    }

    /// The values at the two ends of the colour bar.
    pub fn range(&self) -> (f64, f64) {
        match *self {
            ColourMap::Sequential { lo, hi } => (lo, hi),
            ColourMap::Diverging { limit } => (-limit, limit),
        }
    }

    /// The colour of `v` (clamped to the range); none for NaN and infinities.
    pub fn colour(&self, v: f64) -> Option<[u8; 3]> {
        if !v.is_finite() {
            return None;
        }
        let (lo, hi) = self.range();
        let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        Some(match self {
            ColourMap::Sequential { .. } => {
                let c: RGBColor = ViridisRGB.get_color(t as f32);
                [c.0, c.1, c.2]
            }
            ColourMap::Diverging { .. } => diverging(t),
        })
    }
}

/// A blue–white–red map (the ends of matplotlib's "RdBu_r"), linear in RGB
/// on each side of the white middle; `t ∈ [0, 1]`.
fn diverging(t: f64) -> [u8; 3] {
    const BLUE: [f64; 3] = [33.0, 102.0, 172.0];
    const WHITE: [f64; 3] = [247.0, 247.0, 247.0];
    const RED: [f64; 3] = [178.0, 24.0, 43.0];
    let (from, to, s) = if t < 0.5 { (BLUE, WHITE, 2.0 * t) } else { (WHITE, RED, 2.0 * t - 1.0) };
    std::array::from_fn(|i| (from[i] + (to[i] - from[i]) * s).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_data_gets_a_diverging_map_centred_on_zero() {
        let a = Matrix::from_rows(&[vec![-1.0, 3.0]]).unwrap();
        let map = ColourMap::for_values(&a);
        assert_eq!(map, ColourMap::Diverging { limit: 3.0 });
        assert_eq!(map.colour(0.0), Some([247, 247, 247]));
        assert_eq!(map.colour(-3.0), Some([33, 102, 172]));
        assert_eq!(map.colour(10.0), Some([178, 24, 43]));
        assert_eq!(map.colour(f64::NAN), None);
    }

    #[test]
    fn one_signed_data_gets_viridis_over_its_range() {
        let a = Matrix::from_rows(&[vec![2.0, 5.0]]).unwrap();
        let map = ColourMap::for_values(&a);
        assert_eq!(map, ColourMap::Sequential { lo: 2.0, hi: 5.0 });
        // viridis starts dark purple (matplotlib's #440154) and ends yellow
        // (matplotlib's #fde725; plotters' table has #fee825).
        assert_eq!(map.colour(2.0), Some([0x44, 0x01, 0x54]));
        assert_eq!(map.colour(5.0), Some([0xfe, 0xe8, 0x25]));
    }
}
