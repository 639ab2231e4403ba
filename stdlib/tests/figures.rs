//! Figures: what the SVG holds (series, points, labels), PNG sizes and
//! pixels, non-zero patterns from structure against the dense matrix, and
//! the text rendering of a known figure against a golden copy.

use tessera::figure::{Figure, Pattern, Series, SpectrumOf};
use tessera::{Matrix, Operator, Rng};

/// Decodes PNG bytes into `(width, height, channels, pixels)`.
fn decode(png: &[u8]) -> (u32, u32, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("one frame");
    buf.truncate(info.buffer_size());
    (info.width, info.height, info.color_type.samples(), buf)
}

fn waves() -> Figure {
    let x: Vec<f64> = (0..50).map(|i| i as f64 * 0.13).collect();
    let series = |f: fn(f64) -> f64, name: &str| Series {
        x: x.clone(),
        y: x.iter().map(|&v| f(v)).collect(),
        label: Some(name.into()),
    };
    Figure::lines(vec![series(f64::sin, "sin"), series(f64::cos, "cos")])
        .unwrap()
        .with_title("waves")
        .with_xlabel("time")
        .with_ylabel("amplitude")
}

/// The number of points of each polyline drawn in `colour`.
fn polylines(doc: &roxmltree::Document, colour: &str) -> Vec<usize> {
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some(colour))
        .map(|n| n.attribute("points").unwrap_or("").split_whitespace().count())
        .collect()
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

#[test]
fn a_line_plot_svg_holds_each_series_its_points_and_the_labels() {
    let svg = waves().svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the SVG parses");
    // Each series: one polyline through its 50 points, and a 2-point legend sample.
    for colour in ["#1F77B4", "#FF7F0E"] {
        let mut lines = polylines(&doc, colour);
        lines.sort();
        assert_eq!(lines, vec![2, 50], "{colour}");
    }
    let texts = texts(&doc);
    for label in ["waves", "time", "amplitude", "sin", "cos"] {
        assert!(texts.iter().any(|t| t == label), "{label} missing from {texts:?}");
    }
}

#[test]
fn nan_breaks_a_line_into_pieces() {
    let s = Series { x: vec![0.0, 1.0, 2.0, 3.0, 4.0], y: vec![0.0, 1.0, f64::NAN, 3.0, 4.0], label: None };
    let svg = Figure::lines(vec![s]).unwrap().svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(polylines(&doc, "#1F77B4"), vec![2, 2]);
}

#[test]
fn a_scatter_svg_has_one_marker_per_point_and_one_colour_per_group() {
    let mut rng = Rng::seeded(3);
    let p = rng.randn(40, 2);
    let (a, b): (Vec<usize>, Vec<usize>) = (0..40).partition(|&i| i % 3 == 0);
    let pick = |idx: &[usize], label: &str| Series {
        x: idx.iter().map(|&i| p[(i, 0)]).collect(),
        y: idx.iter().map(|&i| p[(i, 1)]).collect(),
        label: Some(label.into()),
    };
    let svg = Figure::scatter(vec![pick(&a, "a"), pick(&b, "b")]).unwrap().svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let circles = |colour: &str| {
        doc.descendants().filter(|n| n.has_tag_name("circle") && n.attribute("fill") == Some(colour)).count()
    };
    // Every point, plus the legend's marker.
    assert_eq!(circles("#1F77B4"), a.len() + 1);
    assert_eq!(circles("#FF7F0E"), b.len() + 1);
}

#[test]
fn histogram_counts_follow_numpys_rule() {
    // np.histogram([0, 1, 1, 2, 3], bins=3) → counts [1, 2, 2], edges [0, 1, 2, 3]:
    // a value on an inner edge goes right, the maximum stays in the last bin.
    let fig = Figure::histogram(&[0.0, 1.0, 1.0, 2.0, 3.0], 3).unwrap();
    let tessera::figure::Plot::Histogram { edges, counts } = &fig.plot else { panic!("a histogram") };
    assert_eq!(edges, &[0.0, 1.0, 2.0, 3.0]);
    assert_eq!(counts, &[1, 2, 2]);
    // One value: numpy widens the range to [v - 0.5, v + 0.5].
    let one = Figure::histogram(&[2.0; 4], 2).unwrap();
    let tessera::figure::Plot::Histogram { edges, counts } = &one.plot else { panic!("a histogram") };
    assert_eq!((edges.as_slice(), counts.as_slice()), (&[1.5, 2.0, 2.5][..], &[0, 4][..]));
    assert!(Figure::histogram(&[1.0, f64::NAN], 3).is_err());
    assert!(Figure::histogram(&[], 3).is_err());
}

#[test]
fn a_png_decodes_to_the_requested_size() {
    let png = waves().with_size(800, 300).unwrap().png().unwrap();
    let (w, h, channels, _) = decode(&png);
    assert_eq!((w, h, channels), (800, 300, 3));
    assert!(waves().with_size(10, 300).is_err());
}

/// viridis's ends in plotters' table (matplotlib's are #440154 and #fde725, one unit away).
const YELLOW: [u8; 3] = [254, 232, 37];
const PURPLE: [u8; 3] = [68, 1, 84];

#[test]
fn the_pixels_of_heatmap_eye_8_show_the_diagonal() {
    let fig = Figure::heatmap(Matrix::eye(8)).unwrap();
    let (w, h, _, px) = decode(&fig.png().unwrap());
    let at = |x: u32, y: u32| -> [u8; 3] {
        let i = 3 * (y * w + x) as usize;
        [px[i], px[i + 1], px[i + 2]]
    };
    // The plotting area: the box of viridis's two ends, left of the colour bar.
    let (mut x0, mut x1, mut y0, mut y1) = (w, 0, h, 0);
    for y in 0..h {
        for x in 0..w - 100 {
            if at(x, y) == YELLOW || at(x, y) == PURPLE {
                (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
            }
        }
    }
    assert!(x1 > x0 + 200 && y1 > y0 + 200, "a plotting area was found: {x0}..{x1} × {y0}..{y1}");
    let (cw, ch) = ((x1 - x0 + 1) as f64 / 8.0, (y1 - y0 + 1) as f64 / 8.0);
    for i in 0..8 {
        for j in 0..8 {
            let centre = at(x0 + ((j as f64 + 0.5) * cw) as u32, y0 + ((i as f64 + 0.5) * ch) as u32);
            assert_eq!(centre, if i == j { YELLOW } else { PURPLE }, "cell ({i}, {j})");
        }
    }
}

#[test]
fn a_heatmap_svg_embeds_one_pixel_per_cell() {
    let svg = Figure::heatmap(Matrix::eye(8)).unwrap().svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let images: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("image")).collect();
    assert_eq!(images.len(), 2, "the cells and the colour bar");
    use base64::Engine as _;
    let data = images[0].attribute("href").unwrap().strip_prefix("data:image/png;base64,").unwrap();
    let (w, h, channels, px) = decode(&base64::engine::general_purpose::STANDARD.decode(data).unwrap());
    assert_eq!((w, h, channels), (8, 8, 4));
    for i in 0..8 {
        for j in 0..8 {
            let k = 4 * (i * 8 + j);
            assert_eq!(px[k..k + 3], if i == j { YELLOW } else { PURPLE });
        }
    }
}

#[test]
fn signed_heatmaps_are_white_at_zero() {
    let a = Matrix::from_rows(&[vec![-2.0, 0.0], vec![0.0, 2.0]]).unwrap();
    let svg = Figure::heatmap(a).unwrap().svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let image = doc.descendants().find(|n| n.has_tag_name("image")).unwrap();
    use base64::Engine as _;
    let data = image.attribute("href").unwrap().strip_prefix("data:image/png;base64,").unwrap();
    let (_, _, _, px) = decode(&base64::engine::general_purpose::STANDARD.decode(data).unwrap());
    assert_eq!(px[4..7], [247, 247, 247]);
    assert!(px[0] < px[2], "negative is blue");
    assert!(px[12] > px[14], "positive is red");
}

/// The pattern as rows of `#` and `.`.
fn picture(p: &Pattern) -> Vec<String> {
    let (r, c) = p.grid();
    (0..r).map(|a| (0..c).map(|b| if p.is_set(a, b) { '#' } else { '.' }).collect()).collect()
}

#[test]
fn spy_of_kron_eye_4_ones_2_shows_the_block_pattern() {
    let op = Operator::kron(vec![Matrix::eye(4).into(), Matrix::ones(2, 2).into()]).unwrap();
    let fig = Figure::spy_operator(&op).unwrap();
    let tessera::figure::Plot::Spy { pattern, .. } = &fig.plot else { panic!("a pattern") };
    let expected: Vec<String> =
        (0..8).map(|i| (0..8).map(|j| if i / 2 == j / 2 { '#' } else { '.' }).collect()).collect();
    assert_eq!(picture(pattern), expected);
    // And the drawing: the embedded image's opaque pixels are those blocks.
    let svg = fig.svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let image = doc.descendants().find(|n| n.has_tag_name("image")).unwrap();
    use base64::Engine as _;
    let data = image.attribute("href").unwrap().strip_prefix("data:image/png;base64,").unwrap();
    let (w, h, _, px) = decode(&base64::engine::general_purpose::STANDARD.decode(data).unwrap());
    assert_eq!((w, h), (8, 8));
    for i in 0..8 {
        for j in 0..8 {
            assert_eq!(px[4 * (i * 8 + j) + 3] == 255, i / 2 == j / 2, "({i}, {j})");
        }
    }
}

#[test]
fn spy_of_a_dense_matrix_counts_its_non_zeros_as_matlab_does() {
    let a = Matrix::from_rows(&[vec![1.0, 0.0, 0.0], vec![0.0, f64::NAN, 2.0]]).unwrap();
    let svg = Figure::spy(&a).unwrap().svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(texts(&doc).iter().any(|t| t == "column (nz = 3)"), "{:?}", texts(&doc));
}

/// Every operator of the shared catalogue (random entries, so nothing
/// cancels; sparse leaves among them) has the pattern of its dense matrix.
#[test]
fn patterns_from_structure_match_the_dense_matrix() {
    for entry in tessera::testing::catalogue() {
        let structural = Pattern::of_operator(&entry.op);
        let (dense, _) = Pattern::of_matrix(&entry.op.dense());
        assert_eq!(picture(&structural), picture(&dense), "{}", entry.name);
    }
}

#[test]
fn the_pattern_of_a_huge_kronecker_product_is_found_without_forming_it() {
    // kron(eye(1000), ones(1000, 1000)) is 10⁶ × 10⁶ (8 TB dense).
    let op = Operator::kron(vec![Matrix::eye(1000).into(), Matrix::ones(1000, 1000).into()]).unwrap();
    let p = Pattern::of_operator(&op);
    assert_eq!(p.grid(), (512, 512));
    // Cells of 1954 entries: the diagonal blocks of 1000 fill a band about the diagonal only.
    assert!(p.is_set(0, 0) && p.is_set(511, 511) && p.is_set(256, 256));
    assert!(!p.is_set(0, 2) && !p.is_set(511, 0) && !p.is_set(100, 300));
}

#[test]
fn a_spectrum_leaves_out_zeros_and_needs_a_positive_value() {
    let fig = Figure::spectrum(vec![1.0, 0.0, 10.0, 0.1], SpectrumOf::SingularValues).unwrap();
    let tessera::figure::Plot::Spectrum { values, .. } = &fig.plot else { panic!("a spectrum") };
    assert_eq!(values, &[10.0, 1.0, 0.1, 0.0]);
    let svg = fig.svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(polylines(&doc, "#1F77B4"), vec![3], "three positive values on the log axis");
    assert!(Figure::spectrum(vec![0.0, 0.0], SpectrumOf::Eigenvalues).is_err());
}

#[test]
fn savefig_chooses_the_format_by_extension() {
    let dir = std::env::temp_dir().join(format!("tessera-figures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fig = Figure::heatmap(Matrix::eye(3)).unwrap();
    fig.save(&dir.join("a.svg")).unwrap();
    fig.save(&dir.join("a.PNG")).unwrap();
    assert!(std::fs::read_to_string(dir.join("a.svg")).unwrap().starts_with("<svg"));
    assert_eq!(&std::fs::read(dir.join("a.PNG")).unwrap()[1..4], b"PNG");
    let err = fig.save(&dir.join("a.jpg")).unwrap_err().to_string();
    assert!(err.contains("neither .svg nor .png"), "{err}");
    assert!(fig.save(&dir.join("missing").join("a.svg")).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The text rendering of a known figure, against `tests/golden/`. The golden
/// copies were read by eye when written; set `TESSERA_BLESS=1` to rewrite them
/// after a deliberate change, and read them again.
fn golden(name: &str, text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var_os("TESSERA_BLESS").is_some() {
        std::fs::write(&path, text).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(text, expected, "{name} differs from its golden copy:\n{text}");
}

#[test]
fn text_renderings_match_their_golden_copies() {
    let x: Vec<f64> = (0..=40).map(|i| i as f64 / 40.0).collect();
    let parabola = Series { x: x.clone(), y: x.iter().map(|v| v * v).collect(), label: None };
    let fig = Figure::lines(vec![parabola]).unwrap().with_title("y = x^2").with_xlabel("x");
    golden("parabola.txt", &fig.text(60, 16, false).unwrap());
    let op = Operator::kron(vec![Matrix::eye(4).into(), Matrix::ones(2, 2).into()]).unwrap();
    golden("spy_kron.txt", &Figure::spy_operator(&op).unwrap().text(40, 14, false).unwrap());
}

#[test]
fn text_in_colour_uses_24_bit_escapes() {
    let text = Figure::heatmap(Matrix::eye(4)).unwrap().text(40, 12, true).unwrap();
    assert!(text.contains("\x1b[38;2;254;232;37m"), "viridis yellow as foreground");
    assert!(text.contains('▀'));
    assert!(Figure::heatmap(Matrix::eye(4)).unwrap().text(5, 2, false).is_err());
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Awkward numbers: NaN, infinities, huge and tiny magnitudes, zeros.
    fn awkward() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::MAX),
            Just(-f64::MAX),
            Just(f64::MIN_POSITIVE),
            Just(0.0),
            -1e6..1e6f64,
        ]
    }

    /// Draws the figure every way; errors are fine, panics are not.
    fn draw_all(fig: tessera::Result<Figure>) {
        if let Ok(fig) = fig {
            let _ = fig.svg();
            let _ = fig.png();
            let _ = fig.text(40, 12, true);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_numbers_draw_or_fail_cleanly(
            values in proptest::collection::vec(awkward(), 1..24),
            bins in 0usize..50,
        ) {
            let n = values.len();
            let m = Matrix::from_row_major(1, n, &values).unwrap();
            let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
            draw_all(Figure::lines(vec![Series { x: x.clone(), y: values.clone(), label: Some("s".into()) }]));
            draw_all(Figure::scatter(vec![Series { x: values.clone(), y: x, label: None }]));
            draw_all(Figure::histogram(&values, bins));
            draw_all(Figure::heatmap(m.clone()));
            draw_all(Figure::spy(&m));
            draw_all(Figure::spectrum(values, SpectrumOf::SingularValues));
        }
    }
}

#[test]
fn the_bundles_images_follow_the_format_and_auto_weighs_the_figure() {
    use tessera::figure::{ImageFormat, SVG_MAX_ELEMENTS};
    let mimes = |f: &Figure, format| f.mime_bundle_in(format).into_iter().map(|(m, _)| m).collect::<Vec<_>>();
    // A line plot and a small heatmap are vectors; a 1000×1000 heatmap and a dense scatter are pixels.
    assert_eq!(mimes(&waves(), ImageFormat::Auto), ["text/plain", "image/svg+xml"]);
    assert_eq!(mimes(&Figure::heatmap(Matrix::eye(8)).unwrap(), ImageFormat::Auto), ["text/plain", "image/svg+xml"]);
    let large = Figure::heatmap(Matrix::eye(1000)).unwrap();
    assert_eq!(large.elements(), 1_000_000);
    assert_eq!(mimes(&large, ImageFormat::Auto), ["text/plain", "image/png"]);
    let n = SVG_MAX_ELEMENTS + 1;
    let dense = Figure::scatter(vec![Series { x: vec![0.5; n], y: vec![0.5; n], label: None }]).unwrap();
    assert_eq!(mimes(&dense, ImageFormat::Auto), ["text/plain", "image/png"]);
    // Asked for: one, the other, or both, whatever the figure.
    assert_eq!(mimes(&large, ImageFormat::Svg), ["text/plain", "image/svg+xml"]);
    assert_eq!(mimes(&waves(), ImageFormat::Png), ["text/plain", "image/png"]);
    assert_eq!(mimes(&waves(), ImageFormat::Both), ["text/plain", "image/svg+xml", "image/png"]);
    assert_eq!(waves().mime_bundle(), waves().mime_bundle_in(ImageFormat::Both), "SPEC v1: both by default");
}
