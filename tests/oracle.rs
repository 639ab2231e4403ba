//! Tessera against numpy and scipy: every value here was computed by
//! `fixtures/generate.py` with the pinned versions in `fixtures/requirements.txt`.

use tessera::{Matrix, Monarch, Operator};
use tessera_tests::*;

fn each(section: &str) -> Vec<serde_json::Value> {
    oracle()[section].as_array().unwrap_or_else(|| panic!("section {section}")).clone()
}

#[test]
fn fixtures_name_their_reference_versions() {
    let o = oracle();
    assert_eq!(o["versions"]["numpy"], "2.4.6");
    assert_eq!(o["versions"]["scipy"], "1.17.1");
    assert_eq!(o["versions"]["mpmath"], "1.4.1");
}

#[test]
fn dense_linear_algebra_matches_numpy() {
    for case in each("dense") {
        let a = matrix(&case["A"]);
        let s = matrix(&case["S"]);
        let n = a.rows();
        let what = |w: &str| format!("{w} ({n}×{n})");
        assert_close(&a.solve(&matrix(&case["b"])).unwrap(), &matrix(&case["solve"]), 1e-12, &what("solve"));
        assert_close(&a.inv().unwrap(), &matrix(&case["inv"]), 1e-12, &what("inv"));
        assert_close_scalar(a.det().unwrap(), number(&case["det"]), 1e-13, &what("det"));
        let d = a.logabsdet().unwrap();
        assert_close_scalar(d.log_abs, number(&case["logabsdet"]), 1e-13, &what("logabsdet"));
        assert_eq!(d.sign, number(&case["sign"]), "{}", what("sign"));
        assert_close_scalar(s.logdet().unwrap(), number(&case["logdet_S"]), 1e-13, &what("logdet"));
        assert_close_scalar(a.trace().unwrap(), number(&case["trace"]), 1e-15, &what("trace"));
        assert_close_scalar(a.norm_fro(), number(&case["norm_fro"]), 1e-15, &what("norm fro"));
        assert_close_scalar(a.norm_p(1.0).unwrap(), number(&case["norm_1"]), 1e-15, &what("norm 1"));
        assert_close_scalar(a.norm_p(2.0).unwrap(), number(&case["norm_2"]), 1e-14, &what("norm 2"));
        assert_close_scalar(a.norm_p(f64::INFINITY).unwrap(), number(&case["norm_inf"]), 1e-15, &what("norm inf"));
        assert_close(&s.chol().unwrap(), &matrix(&case["chol_S"]), 1e-14, &what("chol"));
        let r = positive_diagonal_rows(&a.qr().unwrap().r);
        assert_close(&r, &positive_diagonal_rows(&matrix(&case["qr_R"])), 1e-13, &what("qr R"));
        assert_close_values(&a.svdvals().unwrap(), &numbers(&case["svdvals"]), 1e-14, &what("svdvals"));
        let svd = a.svd().unwrap();
        assert_close_values(&svd.s, &numbers(&case["svdvals"]), 1e-14, &what("svd S, descending"));
        let rebuilt = svd.u.matmul(&Matrix::diagm(&Matrix::col(&svd.s)).unwrap()).unwrap().matmul(&svd.v.transpose());
        assert_close(&rebuilt.unwrap(), &a, 1e-14, &what("U diag(S) Vᵀ"));
        let q = a.qr().unwrap();
        assert_close(&q.q.matmul(&q.r).unwrap(), &a, 1e-14, &what("Q R"));
        let e = s.eigh().unwrap();
        assert_close_values(&e.values, &numbers(&case["eigh_S_values"]), 1e-14, &what("eigh values"));
        let expected_vectors = canonical_signs(&matrix(&case["eigh_S_vectors"]));
        assert_close(&canonical_signs(&e.vectors), &expected_vectors, 1e-12, &what("eigh vectors"));
        assert_same_spectrum(&a.eigvals().unwrap(), &complexes(&case["eigvals"]), 1e-13, &what("eigvals"));
        assert_close(&a.expm().unwrap(), &matrix(&case["expm"]), 1e-12, &what("expm"));
        let s_scaled = s.scale(1.0 / n as f64);
        assert_close(&s_scaled.expm().unwrap(), &matrix(&case["expm_S_scaled"]), 1e-13, &what("expm symmetric"));
        assert_close(&s.sqrtm().unwrap(), &matrix(&case["sqrtm_S"]), 1e-13, &what("sqrtm symmetric"));
        assert_close(&s.logm().unwrap(), &matrix(&case["logm_S"]), 1e-13, &what("logm symmetric"));
    }
}

#[test]
fn rectangular_and_rank_deficient_match_numpy() {
    for case in each("rectangular") {
        let a = matrix(&case["A"]);
        let what = format!("{}", a.shape());
        assert_close_values(&a.svdvals().unwrap(), &numbers(&case["svdvals"]), 1e-14, &what);
        assert_eq!(a.rank().unwrap() as u64, case["rank"].as_u64().unwrap(), "{what}: rank");
        assert_close_scalar(a.norm_fro(), number(&case["norm_fro"]), 1e-15, &what);
        let r = positive_diagonal_rows(&a.qr().unwrap().r);
        assert_close(&r, &positive_diagonal_rows(&matrix(&case["qr_R"])), 1e-13, &format!("{what}: qr R"));
        let svd = a.svd().unwrap();
        assert_close_values(&svd.s, &numbers(&case["svdvals"]), 1e-14, &format!("{what}: svd S"));
        let rebuilt = svd.u.matmul(&Matrix::diagm(&Matrix::col(&svd.s)).unwrap()).unwrap().matmul(&svd.v.transpose());
        assert_close(&rebuilt.unwrap(), &a, 1e-14, &format!("{what}: U diag(S) Vᵀ"));
    }
    for case in each("rank_deficient") {
        let a = matrix(&case["A"]);
        assert_eq!(a.rank().unwrap() as u64, case["rank"].as_u64().unwrap(), "rank of {}", a.shape());
    }
    for case in each("vectors") {
        let x = numbers(&case["x"]);
        for v in [Matrix::col(&x), Matrix::row(&x)] {
            assert_close_scalar(v.norm_p(1.0).unwrap(), number(&case["norm_1"]), 1e-15, "vector norm 1");
            assert_close_scalar(v.norm_p(2.0).unwrap(), number(&case["norm_2"]), 1e-15, "vector norm 2");
            assert_close_scalar(v.norm_p(f64::INFINITY).unwrap(), number(&case["norm_inf"]), 0.0, "vector norm inf");
        }
    }
}

#[test]
fn matrix_functions_match_scipy() {
    for case in each("functions") {
        let a = matrix(&case["A"]);
        let p = matrix(&case["P"]);
        let what = |w: &str| format!("{w} of a {} matrix with ‖A‖₁ scale", a.shape());
        assert_close(&a.expm().unwrap(), &matrix(&case["expm"]), 1e-12, &what("expm"));
        assert_close(&p.sqrtm().unwrap(), &matrix(&case["sqrtm_P"]), 1e-12, &what("sqrtm"));
        assert_close(&p.logm().unwrap(), &matrix(&case["logm_P"]), 1e-12, &what("logm"));
    }
}

#[test]
fn kronecker_products_match_numpy_kron() {
    for case in each("kronecker") {
        let factors: Vec<Operator> = matrices(&case["factors"]).into_iter().map(Operator::Dense).collect();
        let k = Operator::kron(factors).unwrap();
        let what = k.structure();
        assert_close(&k.dense(), &matrix(&case["dense"]), 1e-15, &what);
        assert_close(&k.apply(&matrix(&case["x"])).unwrap(), &matrix(&case["Kx"]), 1e-14, &format!("{what}: K x"));
        assert_close_values(&k.svdvals().unwrap(), &numbers(&case["svdvals"]), 1e-13, &format!("{what}: svdvals"));
        if !case["det"].is_null() {
            assert_close_scalar(k.det().unwrap(), number(&case["det"]), 1e-12, &format!("{what}: det"));
            assert_close(&k.inverse().unwrap().dense(), &matrix(&case["inv"]), 1e-12, &format!("{what}: inverse"));
            let got = k.eigvals().unwrap();
            assert_same_spectrum(&got, &complexes(&case["eigvals"]), 1e-12, &format!("{what}: eigvals"));
            assert_close_scalar(k.trace().unwrap(), number(&case["trace"]), 1e-14, &format!("{what}: trace"));
        }
    }
}

#[test]
fn kronecker_sums_match_numpy_and_scipy() {
    for case in each("kronsum") {
        let ks = Operator::kronsum(matrix(&case["A"]).into(), matrix(&case["B"]).into()).unwrap();
        let what = ks.structure();
        assert_close(&ks.dense(), &matrix(&case["dense"]), 1e-15, &what);
        // exp(A ⊕ B) = exp(A) ⊗ exp(B), against scipy's expm of the dense sum.
        let e = ks.expm().unwrap();
        assert!(matches!(e, Operator::Kronecker { .. }), "{what}: expm keeps the Kronecker structure");
        assert_close(&e.dense(), &matrix(&case["expm"]), 1e-12, &format!("{what}: expm"));
        assert_close_scalar(ks.det().unwrap(), number(&case["det"]), 1e-12, &format!("{what}: det"));
        assert_same_spectrum(&ks.eigvals().unwrap(), &complexes(&case["eigvals"]), 1e-12, &format!("{what}: eigvals"));
    }
}

#[test]
fn block_diagonals_match_scipy_block_diag() {
    for case in each("blockdiag") {
        let bd = Operator::blockdiag(matrices(&case["blocks"]).into_iter().map(Operator::Dense).collect());
        let what = bd.structure();
        assert_close(&bd.dense(), &matrix(&case["dense"]), 0.0, &what);
        assert_close_values(&bd.svdvals().unwrap(), &numbers(&case["svdvals"]), 1e-13, &format!("{what}: svdvals"));
        if !case["det"].is_null() {
            assert_close_scalar(bd.det().unwrap(), number(&case["det"]), 1e-13, &format!("{what}: det"));
            assert_close(&bd.inverse().unwrap().dense(), &matrix(&case["inv"]), 1e-13, &format!("{what}: inverse"));
        }
    }
}

#[test]
fn woodbury_and_determinant_lemma_match_numpy() {
    for case in each("diag_plus_lowrank") {
        let op = Operator::diag_plus_lowrank(numbers(&case["d"]), matrix(&case["U"]), matrix(&case["V"])).unwrap();
        let inv = op.inverse().unwrap();
        assert!(matches!(inv, Operator::DiagonalPlusLowRank { .. }), "Woodbury keeps the structure");
        assert_close(&inv.dense(), &matrix(&case["inv"]), 1e-12, "Woodbury inverse");
        assert_close_scalar(op.det().unwrap(), number(&case["det"]), 1e-12, "determinant lemma");
    }
}

#[test]
fn monarch_matches_an_independent_dense_construction() {
    for case in each("monarch") {
        let m = Monarch::from_blocks(matrices(&case["L"]), matrices(&case["R"])).unwrap();
        let expected = matrix(&case["dense"]);
        let op = Operator::Monarch(m.clone());
        assert_close(&op.dense(), &expected, 1e-14, &op.structure());
        assert_close_scalar(op.det().unwrap(), number(&case["det"]), 1e-11, &format!("{}: det", op.structure()));
        // A Monarch matrix is its own projection.
        let p = Operator::Monarch(Monarch::project(&expected, m.nblocks()).unwrap());
        assert_close(&p.dense(), &expected, 1e-13, &format!("{}: projection is idempotent", op.structure()));
    }
}

#[test]
fn covariance_estimators_match_numpy_and_scikit_learn() {
    use tessera::covariance;
    assert_eq!(oracle()["versions"]["scikit-learn"], "1.7.2");
    for case in each("covariance") {
        let x = matrix(&case["X"]);
        let what = |w: &str| format!("{w} of {}", x.shape());
        assert_close(&covariance::cov(&x).unwrap(), &matrix(&case["cov"]), 1e-12, &what("cov"));
        assert_close(&covariance::scm(&x).unwrap(), &matrix(&case["scm"]), 1e-12, &what("scm"));
        let (lw, alpha) = covariance::ledoit_wolf(&x).unwrap();
        assert_close(&lw, &matrix(&case["lwf"]), 1e-12, &what("Ledoit-Wolf"));
        assert_close_scalar(alpha, number(&case["lwf_shrinkage"]), 1e-12, &what("Ledoit-Wolf shrinkage"));
        let (o, alpha) = covariance::oas(&x).unwrap();
        assert_close(&o, &matrix(&case["oas"]), 1e-12, &what("OAS"));
        assert_close_scalar(alpha, number(&case["oas_shrinkage"]), 1e-12, &what("OAS shrinkage"));
        let (order, lag) = (case["order"].as_u64().unwrap() as usize, case["lag"].as_u64().unwrap() as usize);
        assert_close(&covariance::augment(&x, order, lag).unwrap(), &matrix(&case["augment"]), 0.0, &what("augment"));
    }
    assert!(covariance::cov(&Matrix::ones(1, 3)).is_err(), "one observation has no unbiased covariance");
    assert!(covariance::augment(&Matrix::ones(6, 2), 3, 2).is_err(), "order·lag must leave rows");
}

#[test]
fn spd_geometry_matches_pyriemann() {
    use tessera::spd;
    assert_eq!(oracle()["versions"]["pyriemann"], "0.9");
    for case in each("spd") {
        let covs = matrices(&case["covs"]);
        let what = |w: &str| format!("{w} of {} {} matrices", covs.len(), covs[0].shape());
        assert_close_scalar(
            spd::riemann_distance(&covs[0], &covs[1]).unwrap(),
            number(&case["riemann_dist"]),
            1e-9,
            &what("riemann distance"),
        );
        assert_close_scalar(
            spd::logeuclid_distance(&covs[0], &covs[1]).unwrap(),
            number(&case["logeuclid_dist"]),
            1e-9,
            &what("log-Euclidean distance"),
        );
        let mean = spd::riemann_mean(&covs, 1e-14, 500).unwrap();
        assert_close(&mean, &matrix(&case["riemann_mean"]), 1e-9, &what("Riemannian mean"));
        assert_close(
            &spd::logeuclid_mean(&covs).unwrap(),
            &matrix(&case["logeuclid_mean"]),
            1e-9,
            &what("log-Euclidean mean"),
        );
        let reference = matrix(&case["riemann_mean"]);
        let t = spd::tangent(&covs[0], &reference).unwrap();
        assert_close_values(&t.to_row_major(), &numbers(&case["tangent"]), 1e-9, &what("tangent vector"));
        let back = spd::untangent(&t, &reference).unwrap();
        assert_close(&back, &matrix(&case["untangent"]), 1e-9, &what("untangent"));
        assert_close(&back, &covs[0], 1e-9, &what("tangent round trip"));
    }
    let mdm = &oracle()["mdm"];
    let labels: Vec<f64> = numbers(&mdm["labels"]);
    let model = spd::Mdm::fit(&matrices(&mdm["train"]), &labels, 1e-12).unwrap();
    assert_eq!(model.predict(&matrices(&mdm["test"])).unwrap(), numbers(&mdm["predicted"]));
}

#[test]
fn spd_identities_and_errors() {
    use tessera::spd;
    let mut rng = tessera::Rng::seeded(11);
    let (a, b) = (spd(&mut rng, 4), spd(&mut rng, 4));
    let g = rng.randn(4, 4).add(&Matrix::eye(4).scale(3.0)).unwrap();
    // Invariance under congruence C ↦ G C Gᵀ and under inversion.
    let congruent = |c: &Matrix| g.matmul(c).unwrap().matmul(&g.transpose()).unwrap();
    let d = spd::riemann_distance(&a, &b).unwrap();
    assert_close_scalar(spd::riemann_distance(&congruent(&a), &congruent(&b)).unwrap(), d, 1e-9, "congruence");
    assert_close_scalar(spd::riemann_distance(&a.inv().unwrap(), &b.inv().unwrap()).unwrap(), d, 1e-9, "inversion");
    // The mean of commuting matrices is their geometric mean.
    let (p, q) = (
        Matrix::diagm(&Matrix::col(&[1.0, 4.0, 9.0])).unwrap(),
        Matrix::diagm(&Matrix::col(&[4.0, 1.0, 1.0])).unwrap(),
    );
    let mean = spd::riemann_mean(&[p.clone(), q.clone()], 1e-14, 200).unwrap();
    assert_close(&mean, &Matrix::diagm(&Matrix::col(&[2.0, 2.0, 3.0])).unwrap(), 1e-12, "geometric mean");
    let not_spd = Matrix::from_rows(&[vec![1.0, 2.0], vec![2.0, 1.0]]).unwrap();
    let e = spd::riemann_distance(&not_spd, &Matrix::eye(2)).unwrap_err();
    assert!(e.to_string().contains("positive definite"), "{e}");
    assert!(spd::riemann_distance(&Matrix::eye(2), &Matrix::eye(3)).is_err());
    assert!(spd::riemann_mean(&[], 1e-12, 10).is_err());
    assert!(spd::untangent(&Matrix::col(&[1.0, 2.0]), &Matrix::eye(2)).is_err());
}

#[test]
fn rope_apply_matches_its_definition_in_numpy() {
    for case in each("rope") {
        let x = matrix(&case["X"]);
        let rotated = tessera::rope::rope_apply(&x, &numbers(&case["positions"]), number(&case["base"])).unwrap();
        assert_close(&rotated, &matrix(&case["rotated"]), 1e-13, &format!("rope_apply of {}", x.shape()));
    }
}

/// The largest entrywise difference: pixel errors are absolute.
fn max_difference(a: &Matrix, b: &Matrix) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.sub(b).unwrap().max_abs()
}

#[test]
fn camera_geometry_matches_opencv() {
    use tessera::camera;
    assert_eq!(oracle()["versions"]["opencv"], "4.14.0");
    for case in each("camera") {
        let k = camera::intrinsics(
            number(&case["fx"]),
            number(&case["fy"]),
            number(&case["px"]),
            number(&case["py"]),
            number(&case["skew"]),
        )
        .unwrap();
        assert_eq!(k, matrix(&case["K"]));
        let r = camera::rodrigues(&Matrix::col(&numbers(&case["rvec"]))).unwrap();
        assert_close(&r, &matrix(&case["R"]), 1e-15, "rodrigues vector → matrix");
        let back = camera::rodrigues(&matrix(&case["R"])).unwrap();
        assert_close(&back, &Matrix::col(&numbers(&case["rodrigues_back"])), 1e-14, "rodrigues matrix → vector");
        let p = camera::projection(&k, &matrix(&case["R"]), &Matrix::col(&numbers(&case["t"]))).unwrap();
        assert_close(&p, &matrix(&case["P"]), 1e-15, "projection");
        let (world, pixels, noisy) = (matrix(&case["X"]), matrix(&case["x"]), matrix(&case["noisy"]));
        let projected = camera::project(&p, &world).unwrap();
        let e = max_difference(&projected, &pixels);
        assert!(e <= 1e-10, "project vs cv2.projectPoints: {e:e} px");
        assert!(camera::reproj_error(&p, &world, &pixels).unwrap() <= 1e-10);

        let d = camera::decompose(&p.scale(2.5)).unwrap();
        assert_close(&d.k, &matrix(&case["decompose_K"]), 1e-12, "decompose K");
        assert_close(&d.r, &matrix(&case["decompose_R"]), 1e-12, "decompose R");
        assert_close(&d.center, &matrix(&case["decompose_center"]), 1e-12, "decompose centre");

        let dlt = camera::calibrate_dlt(&world, &noisy).unwrap();
        assert_close(&dlt, &matrix(&case["dlt"]), 1e-9, "calibrate_dlt vs the numpy DLT");
        let rms = camera::reproj_error(&dlt, &world, &noisy).unwrap();
        assert_close_scalar(rms, number(&case["dlt_rms"]), 1e-9, "reprojection error of the DLT");

        let x2 = matrix(&case["x2"]);
        let triangulated = camera::triangulate(&p, &matrix(&case["P2"]), &noisy, &x2).unwrap();
        assert_close(&triangulated, &matrix(&case["triangulated"]), 1e-10, "triangulate vs cv2.triangulatePoints");
    }
    for case in each("rodrigues") {
        let v0 = Matrix::col(&numbers(&case["v"]));
        let r = camera::rodrigues(&v0).unwrap();
        assert_close(&r, &matrix(&case["R"]), 1e-15, "rodrigues at the edges");
        let v = camera::rodrigues(&r).unwrap();
        assert_close(&v, &v0, 1e-14, "rodrigues round trip at the edges");
    }
}

fn example_data(name: &str) -> Matrix {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data").join(name);
    tessera::io::read_npy(&std::fs::read(&path).expect("exported by generate.py")).expect("a valid .npy")
}

#[test]
fn augmented_covariance_mdm_predicts_as_pyriemann_on_basic_motions() {
    use tessera::{covariance, spd};
    let reference = &oracle()["basic_motions"];
    assert_eq!(reference["estimator"], "lwf");
    let (order, lag) = (reference["order"].as_u64().unwrap() as usize, reference["lag"].as_u64().unwrap() as usize);
    let covariances = |x: &Matrix| -> Vec<Matrix> {
        (0..x.rows() / 100)
            .map(|k| {
                let recording = x.select(&(100 * k..100 * (k + 1)).collect::<Vec<_>>(), &[0, 1, 2, 3, 4, 5]).unwrap();
                covariance::ledoit_wolf(&covariance::augment(&recording, order, lag).unwrap()).unwrap().0
            })
            .collect()
    };
    let train = covariances(&example_data("basic_motions_train.npy"));
    let labels = example_data("basic_motions_train_labels.npy").to_row_major();
    let model = spd::Mdm::fit(&train, &labels, 1e-12).unwrap();
    let predicted = model.predict(&covariances(&example_data("basic_motions_test.npy"))).unwrap();
    assert_eq!(predicted, numbers(&reference["predicted"]), "per-recording predictions");
    let truth = example_data("basic_motions_test_labels.npy").to_row_major();
    let accuracy = predicted.iter().zip(&truth).filter(|(p, t)| p == t).count() as f64 / truth.len() as f64;
    assert_eq!(accuracy, number(&reference["accuracy"]));
}

#[test]
fn motorcycle_depth_map_is_f_b_over_disparity_plus_doffs() {
    let m = &oracle()["motorcycle"];
    let disparity = example_data("motorcycle_disparity.npy");
    assert_eq!(numbers(&m["shape"]), vec![disparity.rows() as f64, disparity.cols() as f64]);
    let z = tessera::camera::stereo_depth(number(&m["f"]), number(&m["baseline"]), &disparity, number(&m["doffs"]))
        .unwrap();
    for (pixel, expected) in m["pixels"].as_array().unwrap().iter().zip(m["depth"].as_array().unwrap()) {
        let (i, j) = (pixel[0].as_u64().unwrap() as usize, pixel[1].as_u64().unwrap() as usize);
        match expected.as_f64() {
            Some(d) => assert_close_scalar(z[(i, j)], d, 1e-14, &format!("depth at ({i}, {j})")),
            None => assert!(z[(i, j)].is_nan(), "no depth at ({i}, {j})"),
        }
    }
    let valid = z.to_row_major().iter().filter(|v| v.is_finite()).count();
    assert_eq!(valid as f64, number(&m["valid"]));
}

#[test]
fn code_books_match_bitsandbytes_and_the_normal_quantiles() {
    use tessera::compress::codebook::{dynamic_map, normal_float, NF4};
    let o = oracle();
    let c = &o["compress"];
    let f64s = |xs: &[f32]| xs.iter().map(|&x| f64::from(x)).collect::<Vec<_>>();
    // NF4 is bitsandbytes' table, entry for entry in f32.
    assert_eq!(f64s(&NF4), numbers(&c["nf4_bnb"]).iter().map(|&x| f64::from(x as f32)).collect::<Vec<_>>());
    // The table and NF3/NF2 are scipy's Φ⁻¹ construction to f32 rounding.
    for bits in [2, 3, 4] {
        let scipy = numbers(&c["normal_float"][bits.to_string()]);
        assert_close_values(&f64s(&normal_float(bits)), &scipy, 1.2e-7, &format!("NF{bits}"));
    }
    assert_eq!(f64s(&dynamic_map()), numbers(&c["dynamic"]), "bitsandbytes' signed dynamic map");
}

#[test]
fn quantized_values_match_bitsandbytes_and_deepspeed() {
    use tessera::compress::{Quantized, Scheme};
    let mut checked = 0;
    let o = oracle();
    for weight in o["compress"]["quantized"].as_array().unwrap() {
        let w = matrix(&weight["w"]);
        for case in weight["results"].as_array().unwrap() {
            let scheme = Scheme::parse(case["scheme"].as_str().unwrap()).unwrap();
            let block = case["block"].as_u64().unwrap() as usize;
            let double = case["double"].as_bool().unwrap();
            let what = format!("{} {} block {block} double {double}", weight["name"], scheme.name());
            let q = Quantized::new(&w, scheme, block, double).unwrap();
            if let Scheme::NormalFloat { .. } = scheme {
                let codes: Vec<u64> = case["codes"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).collect();
                assert_eq!(q.codes().iter().map(|&c| u64::from(c)).collect::<Vec<_>>(), codes, "{what}: codes");
                let scales: Vec<f64> = q.scales().into_iter().map(f64::from).collect();
                assert_eq!(scales, numbers(&case["scales"]), "{what}: scales");
            } else {
                assert_eq!(q.dequantize(), matrix(&case["dense"]), "{what}: values");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 3 * 19, "every fixture case is read");
}

#[test]
fn lq_loras_blockwise_normal_float_matches_its_numpy_reference() {
    use tessera::compress::{Quantized, ScaleDtype, ScaleQuant, Scheme};
    let o = oracle();
    let cases = o["compress"]["lq_blockwise_nf"].as_array().unwrap();
    for case in cases {
        let size = |k: &str| case[k].as_u64().unwrap() as usize;
        let scales = ScaleQuant::Uniform {
            bits: size("scale_bits") as u32,
            dtype: ScaleDtype::parse(case["scale_dtype"].as_str().unwrap()).unwrap(),
            group: size("scale_block"),
        };
        let scheme = Scheme::parse(case["scheme"].as_str().unwrap()).unwrap();
        let what = format!("{} {} block {} {scales}", case["name"], scheme.name(), size("block"));
        let q = Quantized::with_scales(&matrix(&case["w"]), scheme, size("block"), scales).unwrap();
        let codes: Vec<u64> = case["codes"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).collect();
        assert_eq!(q.codes().iter().map(|&c| u64::from(c)).collect::<Vec<_>>(), codes, "{what}: codes");
        let got: Vec<f64> = q.scales().into_iter().map(f64::from).collect();
        assert_eq!(got, numbers(&case["scales"]), "{what}: scales");
    }
    assert_eq!(cases.len(), 12, "every fixture case is read");
}

#[test]
fn the_bit_allocation_ilp_matches_scipy_milp() {
    use tessera::compress::allocate;
    let o = oracle();
    let cases = o["compress"]["ilp"].as_array().unwrap();
    let rows = |v: &serde_json::Value| -> Vec<Vec<f64>> { v.as_array().unwrap().iter().map(numbers).collect() };
    for case in cases {
        let (costs, sizes, budget) = (rows(&case["costs"]), rows(&case["sizes"]), case["budget"].as_f64().unwrap());
        let choice = allocate(&costs, &sizes, budget).unwrap();
        let used: f64 = choice.iter().zip(&sizes).map(|(&j, s)| s[j]).sum();
        let cost: f64 = choice.iter().zip(&costs).map(|(&j, c)| c[j]).sum();
        let scipy = case["objective"].as_f64().unwrap();
        assert!(used <= budget, "{used} > {budget}");
        assert!((cost - scipy).abs() <= 1e-9 * scipy, "{} options: {cost} against scipy's {scipy}", costs[0].len());
    }
    assert_eq!(cases.len(), 4, "every fixture case is read");
}

#[test]
fn eva_is_scikit_learns_pca() {
    for case in oracle()["compress"]["eva"].as_array().unwrap() {
        let x = matrix(&case["X"]);
        let components = matrix(&case["components"]);
        let explained = numbers(&case["explained"]);
        // The last component of 5 tokens has no variance left after centring, and no defined direction.
        let r = explained.iter().filter(|&&v| v > 1e-12).count();
        let e = tessera::compress::eva(&x, r, 3).unwrap();
        let what = format!("eva of {}", x.shape());
        let top = Matrix::from_fn(r, x.cols(), |i, j| components[(i, j)]);
        assert_close(&e.a, &top, 1e-12, &format!("{what}: components, signs included"));
        assert_close_values(&e.explained, &explained, 1e-13, &format!("{what}: explained variance ratios"));
        assert_eq!(e.b, Matrix::zeros(3, r));
    }
}
