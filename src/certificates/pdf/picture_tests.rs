//! The photo and the seal on the page, checked the way a person would: poppler's
//! `pdfimages` lists what is embedded and `pdftoppm` shows what prints where.

use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage, codecs::png::PngEncoder};

use super::{
    CertificateDocument, samples,
    tests::{renderer, run, write_pdf},
};

/// Rasterising resolution: coarse, but enough to tell a filled box from an empty one.
const DPI: f32 = 50.0;

/// The first page at [`DPI`].
fn page_of(doc: &CertificateDocument) -> RgbImage {
    let (dir, pdf) = write_pdf(doc);
    let prefix = dir.join("page");
    run(
        "pdftoppm",
        &[
            "-r",
            "50",
            "-png",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    image::open(dir.join("page.png")).unwrap().to_rgb8()
}

/// The pixel at (`x_mm`, `y_mm`) from the page's top-left corner.
fn at(page: &RgbImage, x_mm: f32, y_mm: f32) -> Rgb<u8> {
    let px = |mm: f32| (mm / 25.4 * DPI).round() as u32;
    *page.get_pixel(px(x_mm), px(y_mm))
}

/// Pixels of the seal's square (the layouts put it at 152 mm, 214 mm, 40 mm wide) that are
/// clearly red.
fn red_in_seal_square(page: &RgbImage) -> usize {
    let mut red = 0;
    for y in (194..=234).step_by(2) {
        for x in (132..=172).step_by(2) {
            let p = at(page, x as f32, y as f32);
            if p[0] > 150 && p[1] < 110 && p[2] < 110 {
                red += 1;
            }
        }
    }
    red
}

/// A seal image as an organisation would upload it: a red ring on a transparent ground.
fn ring_png() -> Vec<u8> {
    let ring = RgbaImage::from_fn(300, 300, |x, y| {
        let d = ((x as f32 - 150.0).powi(2) + (y as f32 - 150.0).powi(2)).sqrt();
        if (125.0..145.0).contains(&d) {
            Rgba([200, 30, 40, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(&ring, 300, 300, image::ExtendedColorType::Rgba8)
        .unwrap();
    png
}

#[test]
fn a_skill_level_certificate_without_a_photo_is_refused() {
    let doc = CertificateDocument {
        photo_jpeg: None,
        ..samples::skill_level()
    };
    let err = renderer().render(&doc).unwrap_err().to_string();
    assert!(err.contains("photo"), "{err}");
}

#[test]
fn the_photo_is_embedded_as_it_is_and_fills_the_photo_frame() {
    let doc = samples::skill_level();
    let (_dir, pdf) = write_pdf(&doc);
    let listing = run("pdfimages", &["-list", pdf.to_str().unwrap()]);
    let photo = listing
        .lines()
        .find(|l| l.contains(" jpeg "))
        .unwrap_or_else(|| panic!("no JPEG in:\n{listing}"));
    let columns: Vec<&str> = photo.split_whitespace().collect();
    assert_eq!(&columns[3..5], ["413", "531"], "{listing}");

    // The frame is at 145–180 mm × 82–127 mm: the avatar's face in its middle, its
    // background in its top corner, where the empty frame showed paper.
    let page = page_of(&doc);
    let face = at(&page, 162.5, 102.0);
    assert!(face[0] > 200 && face[2] < 190, "face {face:?}");
    let corner = at(&page, 148.0, 85.0);
    let paper = at(&page, 100.0, 140.0);
    assert_ne!(corner, paper, "the frame's corner shows paper");
    let empty = page_of(&CertificateDocument {
        photo_jpeg: None,
        ..samples::specialty()
    });
    assert_eq!(at(&empty, 162.5, 102.0), at(&empty, 100.0, 140.0));
}

#[test]
fn without_an_uploaded_seal_no_seal_is_drawn() {
    let page = page_of(&samples::skill_level());
    assert_eq!(red_in_seal_square(&page), 0);
    let (_dir, pdf) = write_pdf(&samples::skill_level());
    let listing = run("pdfimages", &["-list", pdf.to_str().unwrap()]);
    assert_eq!(listing.lines().count(), 3, "only the photo:\n{listing}");
}

#[test]
fn an_uploaded_seal_prints_over_the_issuer_lines_with_its_transparency() {
    let doc = CertificateDocument {
        seal_png: Some(ring_png()),
        ..samples::skill_level()
    };
    let (_dir, pdf) = write_pdf(&doc);
    let listing = run("pdfimages", &["-list", pdf.to_str().unwrap()]);
    assert!(listing.contains(" smask "), "{listing}");
    let page = page_of(&doc);
    assert!(red_in_seal_square(&page) > 20);
    // Transparent inside the ring: the centre shows the paper, not a white or black box.
    assert_eq!(at(&page, 152.0, 214.0), at(&page, 100.0, 140.0));
    let text = run("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(
        text.contains("评价机构：额尔古纳市职业技能评价中心"),
        "{text}"
    );
}
