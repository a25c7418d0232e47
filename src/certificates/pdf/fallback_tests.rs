//! The fallback font: rare characters are set and measured in it (tests.rs checks that they
//! extract as typed), and fonts that miss a character a name may hold do not load.

use std::path::Path;

use super::{
    CertificateDocument, Renderer, samples,
    tests::{Scratch, renderer, run, write_pdf},
};

#[test]
fn a_rare_character_is_set_in_the_fallback_font_embedded_beside_the_main_one() {
    let (_dir, pdf) = write_pdf(&CertificateDocument {
        holder_name: "王𠮷".to_owned(),
        ..samples::skill_level()
    });
    let fonts = run("pdffonts", &[pdf.to_str().unwrap()]);
    let names: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter_map(|row| row.split_whitespace().next()?.split_once('+'))
        .map(|(_, name)| name)
        .collect();
    assert_eq!(
        names,
        ["ErgunaCertKai-Regular", "ErgunaCertMing-Regular"],
        "{fonts}"
    );
}

#[test]
fn each_character_is_measured_in_the_font_that_sets_it() {
    let fonts = &renderer().fonts;
    let (main, rare) = (fonts.width_pt("王", 10.0), fonts.width_pt("𠮷", 10.0));
    assert_eq!(
        (fonts.face_of('王'), fonts.face_of('𠮷')),
        (Some(0), Some(1))
    );
    // Both are full-width: one em at 10 pt, each in its own units per em (1,000 and 1,024).
    assert!((main - 10.0).abs() < 0.01, "{main}");
    assert!((rare - 10.0).abs() < 0.01, "{rare}");
    assert!((fonts.width_pt("王𠮷王", 10.0) - (2.0 * main + rare)).abs() < 0.01);
}

#[test]
fn every_character_a_name_may_hold_is_in_the_fonts() {
    let fonts = &renderer().fonts;
    let missing: Vec<char> = crate::people::PersonName::printable_characters()
        .filter(|&c| !fonts.covers(c))
        .collect();
    assert_eq!(missing, Vec::<char>::new());
}

#[test]
fn fonts_that_miss_a_character_a_name_may_hold_do_not_load() {
    let dir = Scratch::new();
    let certs = Path::new(env!("CARGO_MANIFEST_DIR")).join("certs");
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
    std::fs::copy(
        certs.join("fonts/ErgunaCertKai-Regular.ttf"),
        dir.join("fonts/ErgunaCertKai-Regular.ttf"),
    )
    .unwrap();
    let err = Renderer::from_dir(&dir.0).unwrap_err().to_string();
    assert!(err.contains("which a name may hold"), "{err}");
}
