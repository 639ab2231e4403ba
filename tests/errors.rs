//! Bad input gets a typed error naming the shapes or the reason, and nothing panics.

use proptest::prelude::*;
use tessera::{Error, Matrix, Monarch, Operator, Rng, Shape};

fn m(rows: &[&[f64]]) -> Matrix {
    Matrix::from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap()
}

#[test]
fn wrong_shapes_name_both_shapes() {
    let (a, b) = (Matrix::zeros(2, 3), Matrix::zeros(2, 3));
    let e = a.matmul(&b).unwrap_err();
    assert!(matches!(e, Error::ShapeMismatch { left: Shape(2, 3), right: Shape(2, 3), .. }), "{e:?}");
    assert_eq!(e.to_string(), "*: shapes 2×3 and 2×3 do not match (columns of the left must equal rows of the right)");
    let e = Matrix::eye(3).solve(&Matrix::ones(4, 1)).unwrap_err();
    assert_eq!(e.to_string(), "solve: shapes 3×3 and 4×1 do not match (rows of A must equal rows of b)");
    let e = Matrix::zeros(2, 3).add(&Matrix::zeros(3, 2)).unwrap_err();
    assert!(e.to_string().contains("2×3 and 3×2"), "{e}");
    assert!(Matrix::zeros(2, 3).add(&Matrix::zeros(1, 3)).is_ok(), "rows broadcast");
    let e = Matrix::zeros(2, 3).det().unwrap_err();
    assert_eq!(e, Error::NotSquare { op: "det", shape: Shape(2, 3) });
    let k = Operator::kron(vec![Matrix::eye(2).into(), Matrix::eye(3).into()]).unwrap();
    let e = k.apply(&Matrix::ones(5, 1)).unwrap_err();
    assert!(e.to_string().contains("6×6 and 5×1"), "{e}");
    let e = Operator::sum(k.clone(), Matrix::eye(5).into()).unwrap_err();
    assert!(e.to_string().contains("6×6 and 5×5"), "{e}");
    assert!(Operator::product(k.clone(), Matrix::eye(5).into()).is_err());
    assert!(Operator::kronsum(Matrix::zeros(2, 3).into(), Matrix::eye(2).into()).is_err());
    assert!(Operator::lowrank(Matrix::zeros(4, 2), Matrix::zeros(4, 3)).is_err());
    assert!(Matrix::from_row_major(2, 2, &[1.0, 2.0, 3.0]).is_err());
    assert!(Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).is_err());
    assert!(Matrix::eye(2).reshape(3, 1).is_err());
    assert!(Matrix::eye(2).select(&[2], &[0]).is_err());
    assert!(Matrix::hcat(&[&Matrix::zeros(2, 1), &Matrix::zeros(3, 1)]).unwrap_err().to_string().contains("hcat"));
}

#[test]
fn singular_matrices_are_refused_with_a_reason() {
    let s = m(&[&[1.0, 2.0], &[2.0, 4.0]]);
    for e in [s.solve(&Matrix::ones(2, 1)).unwrap_err(), s.inv().unwrap_err()] {
        assert!(matches!(e, Error::Singular { .. }), "{e:?}");
        assert!(e.to_string().contains("singular"), "{e}");
    }
    assert_eq!(s.det().unwrap(), 0.0);
    assert!(matches!(s.logdet().unwrap_err(), Error::Singular { .. }));
    assert!(matches!(m(&[&[0.0, 1.0], &[1.0, 0.0]]).logdet().unwrap_err(), Error::Domain { .. }));
    assert!(matches!(Operator::diagonal(vec![1.0, 0.0]).inverse().unwrap_err(), Error::Singular { .. }));
    assert!(matches!(Operator::scaled(0.0, Matrix::eye(2).into()).inverse().unwrap_err(), Error::Singular { .. }));
    let lr = Operator::lowrank(Matrix::ones(3, 1), Matrix::ones(3, 1)).unwrap();
    assert!(matches!(lr.inverse().unwrap_err(), Error::Singular { .. }));
    assert!(lr.solve(&Matrix::ones(3, 1)).is_err());
}

#[test]
fn non_finite_input_is_refused_by_decompositions() {
    let bad = m(&[&[1.0, f64::NAN], &[0.0, 1.0]]);
    let inf = m(&[&[1.0, f64::INFINITY], &[0.0, 1.0]]);
    for a in [&bad, &inf] {
        let errors = [
            a.solve(&Matrix::ones(2, 1)).err(),
            a.inv().err(),
            a.det().err(),
            a.svd().err(),
            a.svdvals().err(),
            a.eigvals().err(),
            a.chol().err(),
            a.qr().err(),
            a.expm().err(),
            a.logm().err(),
            a.sqrtm().err(),
        ];
        for e in errors {
            assert!(matches!(e, Some(Error::NonFinite { .. })), "{e:?}");
        }
    }
    let e = Matrix::eye(2).solve(&m(&[&[f64::NAN], &[1.0]])).unwrap_err();
    assert!(matches!(e, Error::NonFinite { op: "solve" }));
    // Elementwise arithmetic follows IEEE, as numpy does.
    assert!(bad.add(&Matrix::ones(2, 2)).unwrap()[(0, 1)].is_nan());
}

#[test]
fn domain_errors_explain_themselves() {
    let not_spd = m(&[&[1.0, 2.0], &[2.0, 1.0]]);
    assert!(matches!(not_spd.chol().unwrap_err(), Error::NotPositiveDefinite { .. }));
    let e = m(&[&[1.0, 2.0], &[0.0, 1.0]]).eigh().unwrap_err();
    assert!(matches!(e, Error::NotSymmetric { .. }), "{e:?}");
    let e = not_spd.logm().unwrap_err();
    assert!(e.to_string().contains("eigenvalue"), "{e}");
    assert!(matches!(not_spd.sqrtm().unwrap_err(), Error::Domain { .. }));
    let rotation = m(&[&[0.0, -1.0], &[1.0, 0.0]]);
    assert!(rotation.logm().is_ok(), "complex-conjugate eigenvalues ±i have a real logarithm");
    let negative = m(&[&[-1.0, 1.0], &[0.0, -2.0]]);
    assert!(matches!(negative.logm().unwrap_err(), Error::Domain { .. }));
    assert!(Monarch::random(10, 3, &mut Rng::seeded(0)).unwrap_err().to_string().contains("divide"));
    assert!(Monarch::random(10, 0, &mut Rng::seeded(0)).is_err());
    assert!(Monarch::project(&Matrix::zeros(4, 6), 2).is_err());
    assert!(Operator::permutation(vec![0, 0, 1]).unwrap_err().to_string().contains("not a permutation"));
    assert!(Operator::permutation(vec![0, 3]).is_err());
    assert!(Operator::kron(vec![]).is_err());
    assert!(Matrix::eye(3).norm_p(3.0).is_err());
    assert!(Operator::diagonal(vec![1.0, -1.0]).chol().is_err());
}

/// One of a few awkward matrices: empty, 1×1, tall, wide, singular, with NaN or ∞.
fn awkward() -> impl Strategy<Value = Matrix> {
    let special =
        prop_oneof![Just(0.0), Just(f64::NAN), Just(f64::INFINITY), Just(-f64::INFINITY), Just(1e308), Just(1e-308)];
    (0usize..4, 0usize..4, any::<u64>(), prop::option::of((0usize..16, special))).prop_map(|(r, c, seed, poke)| {
        let mut a = Rng::seeded(seed).randn(r, c);
        if let Some((k, v)) = poke {
            if !a.is_empty() {
                a.set(k % r, (k / r) % c, v).unwrap();
            }
        }
        a
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every dense and structured operation returns `Ok` or `Err` on any input.
    #[test]
    fn nothing_panics(a in awkward(), b in awkward()) {
        let result = std::panic::catch_unwind(|| {
            let _ = (a.solve(&b), a.inv(), a.det(), a.logdet(), a.rank(), a.norm_p(2.0), a.norm_p(1.0));
            let _ = (a.chol(), a.qr(), a.svd(), a.svdvals(), a.eigh(), a.eigvals(), a.expm(), a.logm(), a.sqrtm());
            let _ = (a.add(&b), a.matmul(&b), a.div_elem(&b), a.trace(), a.reshape(b.rows(), b.cols()));
            let ops = [
                Operator::Dense(a.clone()),
                Operator::kron(vec![a.clone().into(), b.clone().into()]).unwrap(),
                Operator::blockdiag(vec![a.clone().into(), b.clone().into()]),
            ];
            for op in ops {
                let _ = (op.apply(&b), op.det(), op.inverse(), op.solve(&b), op.eigvals(), op.eigh());
                let _ = (op.svdvals(), op.trace(), op.chol(), op.expm(), op.logabsdet());
            }
            let _ = Operator::kronsum(a.clone().into(), b.clone().into()).map(|k| (k.det(), k.inverse(), k.expm()));
            let _ = Operator::lowrank(a.clone(), b.clone()).map(|l| (l.svdvals(), l.det(), l.trace()));
            let _ = Monarch::project(&a, 1.max(a.rows() / 2));
        });
        prop_assert!(result.is_ok());
    }
}

/// A valid file of the chosen format, then damaged: cut at `cut`, and the
/// byte at each of `flips` replaced.
fn damaged(format: usize, cut: usize, flips: &[(usize, u8)]) -> Vec<u8> {
    let a = Rng::seeded(cut as u64).randn(3, 2);
    let mut bytes = match format {
        0 => tessera::io::write_npy(&a).unwrap(),
        1 => tessera::io::write_safetensors(&[("w".into(), a.clone()), ("b".into(), a.transpose())]).unwrap(),
        _ => tessera::io::write_csv(Some(&["w".into(), "\"b, c\"".into()]), &a).unwrap(),
    };
    for &(at, byte) in flips {
        let n = bytes.len();
        bytes[at % n] = byte;
    }
    bytes.truncate(cut.min(bytes.len()));
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// The file readers answer `Ok` or `Err` for any bytes, damaged valid files included.
    #[test]
    fn file_readers_never_panic(
        format in 0usize..3,
        cut in 0usize..400,
        flips in prop::collection::vec((0usize..400, any::<u8>()), 0..6),
        noise in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let bytes = damaged(format, cut, &flips);
        let result = std::panic::catch_unwind(|| {
            use tessera::io::{read_csv, read_npy, read_safetensors, Header};
            for b in [&bytes, &noise] {
                let _ = (read_npy(b), read_safetensors(b));
                let _ = (read_csv(b, Header::Auto), read_csv(b, Header::Yes), read_csv(b, Header::No));
            }
        });
        prop_assert!(result.is_ok(), "a reader panicked on {bytes:?}");
    }
}

/// An `r×c` matrix of normal numbers with one entry possibly replaced by a special value.
fn poked(r: usize, c: usize) -> impl Strategy<Value = Matrix> {
    let special = prop_oneof![Just(0.0), Just(f64::NAN), Just(f64::INFINITY), Just(1e300), Just(-1e-300)];
    (any::<u64>(), prop::option::of((0usize..64, special))).prop_map(move |(seed, poke)| {
        let mut a = Rng::seeded(seed).randn(r, c);
        if let (Some((k, v)), false) = (poke, a.is_empty()) {
            a.set(k % r, (k / r) % c, v).unwrap();
        }
        a
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The camera functions answer `Ok` or `Err` for degenerate cameras and points of any count.
    #[test]
    fn camera_functions_never_panic(
        p in poked(3, 4),
        q in poked(3, 4),
        n in 0usize..9,
        seed in any::<u64>(),
        world_cols in prop_oneof![Just(3usize), Just(4), Just(2)],
    ) {
        use tessera::camera;
        let mut rng = Rng::seeded(seed);
        let (world, pixels, other) = (rng.randn(n, world_cols), rng.randn(n, 2), rng.randn(n, 2));
        let flat = Matrix::hcat(&[&rng.randn(n, 2), &Matrix::zeros(n, 1)]).unwrap();
        let result = std::panic::catch_unwind(|| {
            let _ = (camera::project(&p, &world), camera::decompose(&p), camera::reproj_error(&p, &world, &pixels));
            let _ = (camera::calibrate_dlt(&world, &pixels), camera::calibrate_dlt(&flat, &pixels));
            let _ = camera::triangulate(&p, &q, &pixels, &other);
            let _ = (camera::rodrigues(&p), camera::rodrigues(&p.select(&[0, 1, 2], &[0, 1, 2]).unwrap()));
            let _ = camera::stereo_depth(1.0, 1.0, &p, 0.5);
        });
        prop_assert!(result.is_ok());
    }
}
