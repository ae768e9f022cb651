//! Results out of a real SQLite file, in every format: the archive's round trip, the
//! workbook read back, the CSVs parsed, the report self-contained and escaped, the
//! PDF's pages rendered, anonymous exports without names, and the command line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{open_workbook, Data, Reader, Xlsx};
use ripple::api;
use ripple::engine::{Incident, IncidentKind};
use ripple::export::{self, ExportOptions, Format};
use ripple::game::{GamePhase, Prediction};
use ripple::participants::{Answer, CustomerAnswer, CustomerRef, Need, NeedCategory, Round, TwoWay};
use ripple::session::{SessionCommand as C, SessionEvent, WorkshopSession};
use ripple::store::Store;

const NAME: &str = "Zelda Quistgaard";
const SCRIPT: &str = "<script>alert('need')</script>";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";

/// The demo workshop played through its session: three people (one named [`NAME`],
/// one anonymous, one manager) answer, rate, thank and predict a round.
struct Room {
    dir: tempfile::TempDir,
    db: PathBuf,
    id: i64,
    session: WorkshopSession,
}

fn room() -> Room {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let store = api::open_app_store(&db).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    let session = WorkshopSession::start(store, id).unwrap();
    session.apply(C::OpenRound { round: Round::SelfAssessment }).unwrap();
    session.apply(C::OpenRound { round: Round::Thanks }).unwrap();
    let r = Room { dir, db, id, session };
    let zelda = r.join(Some(NAME), "finance", false);
    let anon = r.join(None, "customer-service", false);
    let boss = r.join(Some("Morgan Boss"), "it", true);
    let need = |text: &str, category| Need { text: text.into(), category };
    r.submit(&zelda, "zelda-customers", Answer::Customers {
        customers: vec![
            CustomerAnswer {
                customer: CustomerRef::Unit("customer-service".into()),
                needs: vec![need(SCRIPT, NeedCategory::Quality), need("Salaries on the 25th", NeedCategory::Time)],
                two_way: TwoWay::Yes,
                rating: 8,
            },
            CustomerAnswer { customer: CustomerRef::Proposed("Night shift".into()), needs: vec![need(FORMULA, NeedCategory::Delivery)], two_way: TwoWay::No, rating: 6 },
        ],
    });
    r.submit(&anon, "anon-rating-1", Answer::ReceivedRating { unit: "finance".into(), rating: 4, comment: "-1 for lateness".into() });
    r.submit(&anon, "anon-customers", Answer::Customers {
        customers: vec![CustomerAnswer { customer: CustomerRef::Unit("households".into()), needs: vec![], two_way: TwoWay::Sometimes, rating: 9 }],
    });
    r.submit(&boss, "boss-manager-1", Answer::Manager { morale: "People leave when IT is slow.".into(), team: "Answer tickets the same day.".into() });
    r.submit(&anon, "anon-thanks-01", Answer::Thanks { unit: "it".into(), message: "@IT thanks for the laptop".into() });
    r.session.apply(C::StartGameRound { incidents: vec![Incident::new("finance", 1.0, IncidentKind::Late)] }).unwrap();
    for (token, sub) in [(&zelda, "zelda-predict"), (&anon, "anon-predict1")] {
        let prediction = Prediction { units: vec!["customer-service".into(), "it".into()], customers: true };
        r.session.apply(C::Predict { token: token.clone(), submission: sub.into(), round: 1, prediction }).unwrap();
    }
    r.session.apply(C::SetGamePhase { round: 1, phase: GamePhase::Debrief }).unwrap();
    // The repair call walked: Zelda proposes a need (markup and all), Morgan votes,
    // the trainer accepts it; a unit placed by hand.
    r.session.apply(C::AddCycleFromTemplate { template: "repair-call".into() }).unwrap();
    r.session.apply(C::WalkCycle { cycle: Some(1), stage: Some(3) }).unwrap();
    let need = ripple::cycle::NeedDraft { provider: Some("it".into()), what: SCRIPT.into(), category: NeedCategory::Delivery, standard: FORMULA.into() };
    r.session.apply(C::ProposeNeed { token: zelda.clone(), submission: "zelda-need-01".into(), stage: 3, need }).unwrap();
    r.session.apply(C::VoteNeed { token: boss.clone(), submission: "boss-vote-001".into(), proposal: 1, vote: true }).unwrap();
    r.session.apply(C::DecideNeed { proposal: 1, decision: ripple::cycle::NeedDecision::Accept }).unwrap();
    r.session.apply(C::MoveUnit { id: "legal".into(), position: Some(ripple::layout::Point { x: 120.0, y: 80.0 }) }).unwrap();
    r
}

impl Room {
    fn join(&self, name: Option<&str>, unit: &str, manager: bool) -> String {
        let code = self.session.participation().unwrap().code;
        match self.session.apply(C::Join { code, name: name.map(Into::into), unit: unit.into(), manager, client: None }).unwrap() {
            SessionEvent::ParticipantJoined { token: Some(t), .. } => t,
            other => panic!("{other:?}"),
        }
    }

    fn submit(&self, token: &str, submission: &str, answer: Answer) {
        self.session.apply(C::Submit { token: token.into(), submission: submission.into(), answer }).unwrap();
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Exports with a connection of its own, beside the live session.
    fn export(&self, format: Format, name: &str, anonymous: bool) -> PathBuf {
        let store = Store::open(&self.db).unwrap();
        let out = self.out(name);
        export::export(&store, self.id, format, &out, ExportOptions { anonymous }).unwrap();
        out
    }
}

fn ripple(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ripple")).args(args).output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Everything a reader of the export could see, as text: files as they are, folders
/// file by file, the workbook cell by cell, the PDF through pdftotext.
fn visible_text(format: Format, path: &Path) -> String {
    match format {
        Format::Csv | Format::Kumu => files_in(path).iter().map(|f| fs::read_to_string(path.join(f)).unwrap()).collect(),
        Format::Xlsx => {
            let mut book: Xlsx<_> = open_workbook(path).unwrap();
            let mut text = String::new();
            for name in book.sheet_names() {
                for row in book.worksheet_range(&name).unwrap().rows() {
                    for cell in row {
                        text.push_str(&cell.to_string());
                        text.push('\t');
                    }
                }
            }
            text
        }
        Format::Pdf => {
            let o = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext (poppler-utils) is installed");
            assert!(o.status.success());
            String::from_utf8(o.stdout).unwrap()
        }
        _ => fs::read_to_string(path).unwrap(),
    }
}

#[test]
fn an_exported_archive_imports_into_an_identical_workshop_and_exports_the_same_bytes() {
    let r = room();
    let first = r.export(Format::Json, "a.json", false);
    let other_db = r.out("other.db");
    let mut other = Store::open(&other_db).unwrap();
    let imported = export::import(&mut other, &first).unwrap();
    export::export(&other, imported, Format::Json, &r.out("b.json"), ExportOptions::default()).unwrap();
    let (a, b) = (fs::read(&first).unwrap(), fs::read(r.out("b.json")).unwrap());
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    // The archive holds the whole workshop, and nothing of the database's identity.
    let archive: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!((archive["format"].as_str(), archive["version"].as_u64()), (Some("ripple-archive"), Some(1)));
    assert_eq!(archive["participants"].as_array().unwrap().len(), 3);
    assert_eq!(archive["answers"].as_array().unwrap().len(), 5);
    assert_eq!(archive["game"][0]["predictions"].as_array().unwrap().len(), 2);
    assert_eq!(archive["game"][0]["phase"], "debrief");
    assert_eq!(archive["participants"][0]["id"], 1);
    let finance = archive["scorecard"]["units"].as_array().unwrap().iter().find(|u| u["unit"] == "finance").unwrap();
    assert_eq!((finance["self_rating"].as_f64(), finance["received_rating"].as_f64()), (Some(7.0), Some(4.0)), "the scorecard, for readers");
    let text = String::from_utf8(a).unwrap();
    assert!(!text.contains("token") && !text.contains("hash") && !text.contains(&r.session.participation().unwrap().code));
    // The imported workshop is the same to the app: map, agenda, answers.
    let store = Store::open(&r.db).unwrap();
    assert_eq!(other.load_map(imported).unwrap(), store.load_map(r.id).unwrap());
    assert_eq!(other.load_agenda(imported).unwrap(), store.load_agenda(r.id).unwrap());
    assert_eq!(other.load_game(imported).unwrap().len(), 1);
    // … and its Engagement Cycle, the walkthrough's place, the room's need with its votes, the units placed by hand.
    assert_eq!(other.load_cycles(imported).unwrap(), store.load_cycles(r.id).unwrap());
    assert_eq!(other.load_cycle_walk(imported).unwrap(), store.load_cycle_walk(r.id).unwrap());
    let proposals = other.load_proposals(imported).unwrap();
    assert_eq!((proposals.len(), proposals[0].voters.len(), proposals[0].status), (1, 2, ripple::cycle::ProposalStatus::Accepted));
    assert_eq!(other.load_positions(imported).unwrap(), store.load_positions(r.id).unwrap());
    assert_eq!(archive["proposals"][0]["participant"], 1, "named by archive number");
    // The accepted need counts for IT, the unit that must deliver it.
    let it = archive["scorecard"]["units"].as_array().unwrap().iter().find(|u| u["unit"] == "it").unwrap();
    assert_eq!(it["cycle_needs"]["delivery"], 2, "the template's job app and the room's need");
}

#[test]
fn the_workbook_has_a_typed_sheet_per_table_with_formulas_neutralised() {
    let r = room();
    let path = r.export(Format::Xlsx, "r.xlsx", false);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let sheets = book.sheet_names();
    for sheet in ["scorecard", "units", "links", "participants", "customers", "needs", "received_ratings", "manager_answers", "thanks", "game_rounds", "predictions", "agenda"] {
        assert!(sheets.iter().any(|s| s == sheet), "{sheet} in {sheets:?}");
    }
    let card = book.worksheet_range("scorecard").unwrap();
    let header: Vec<String> = card.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(&header[..5], ["unit", "name", "kind", "participants", "self_rating"]);
    let finance = card.rows().find(|row| row[0] == Data::String("finance".into())).expect("a finance row");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(finance[col("self_rating")], Data::Float(7.0), "(8 + 6) / 2, a number");
    assert_eq!(finance[col("received_rating")], Data::Float(4.0));
    assert_eq!(finance[col("gap")], Data::Float(3.0));
    assert_eq!(finance[col("two_way_coverage")], Data::Float(0.5));
    assert!(matches!(finance[col("criticality")], Data::Float(x) if x > 0.0));
    let needs = book.worksheet_range("needs").unwrap();
    let texts: Vec<String> = needs.rows().skip(1).map(|row| row[4].to_string()).collect();
    assert!(texts.contains(&format!("'{FORMULA}")), "{texts:?}");
    assert!(texts.contains(&SCRIPT.to_owned()));
    let received = book.worksheet_range("received_ratings").unwrap();
    assert_eq!(received.rows().nth(1).unwrap()[4], Data::String("'-1 for lateness".into()));
    // Never a formula: the workbook's sheets hold no <f> element.
    let mut zip = zip::ZipArchive::new(fs::File::open(&path).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut entry, &mut xml).unwrap();
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{:?}", entry.name());
    }
}

#[test]
fn the_csvs_are_one_file_per_table_that_parse_back_in_a_folder_or_a_zip() {
    let r = room();
    let dir = r.export(Format::Csv, "csv", false);
    let names = files_in(&dir);
    assert_eq!(names.len(), 12, "{names:?}");
    for name in &names {
        let mut reader = csv::Reader::from_path(dir.join(name)).unwrap();
        let width = reader.headers().unwrap().len();
        for record in reader.records() {
            assert_eq!(record.unwrap().len(), width, "{name}");
        }
    }
    let mut needs = csv::Reader::from_path(dir.join("needs.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = needs.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().any(|r| r[4] == format!("'{FORMULA}")), "neutralised");
    assert!(rows.iter().any(|r| r[2] == *"Night shift" && r[3] == *"delivery"));
    let thanks = fs::read_to_string(dir.join("thanks.csv")).unwrap();
    assert!(thanks.contains(",'@IT thanks for the laptop"), "{thanks}");

    let zipped = r.export(Format::Csv, "tables.zip", false);
    let mut zip = zip::ZipArchive::new(fs::File::open(&zipped).unwrap()).unwrap();
    assert_eq!(zip.len(), 12);
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("needs.csv").unwrap(), &mut text).unwrap();
    assert_eq!(text, fs::read_to_string(dir.join("needs.csv")).unwrap());
}

#[test]
fn the_report_is_one_self_contained_page_with_free_text_escaped() {
    let r = room();
    let html = fs::read_to_string(r.export(Format::Report, "report.html", false)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // A URL a participant typed is shown as text (escaped, never a link); apart
    // from that, the page names no address at all and refers to nothing outside.
    let shown_formula = FORMULA.replace('"', "&quot;");
    assert!(html.contains(&shown_formula));
    // `url(#arrow)` is the map's own arrowhead, inside the page.
    let markup = html.replace(&shown_formula, "").replace("url(#arrow)", "");
    for external in ["http://", "https://", "src=", "href=", "<link", "<script", "<img", "<iframe", "url(", "@import"] {
        assert!(!markup.contains(external), "{external}");
    }
    assert!(html.contains("&lt;script&gt;alert(&#39;need&#39;)&lt;/script&gt;"), "the need is shown escaped");
    for section in ["Scorecard", "The organisation map", "Ripple Effect rounds", "Engagement Cycle", "Answers"] {
        assert!(html.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
    assert!(html.matches("<svg").count() >= 4, "three charts and the map");
    assert!(html.contains("Finance is late with"), "the round's chains in words");
    assert!(html.contains("People leave when IT is slow."), "the managers' answers");
    assert!(html.contains("A repair call — for Households") && html.contains("Quarterly satisfaction follow-up"), "the cycle's stages");
    assert!(html.contains("The room proposed 1 need and accepted 1"), "what the room proposed");
    assert!(html.contains("The busiest stage: The repair"), "the findings");
}

/// Pages of a PDF rendered by poppler's pdftoppm (grey, 30 dpi): each must have ink.
#[test]
fn the_pdf_report_renders_to_pages_that_are_not_blank() {
    let r = room();
    let pdf = r.export(Format::Pdf, "report.pdf", false);
    let pages = r.out("pages");
    fs::create_dir(&pages).unwrap();
    let o = Command::new("pdftoppm").args(["-r", "30", "-gray"]).arg(&pdf).arg(pages.join("p")).output().expect("pdftoppm (poppler-utils) is installed");
    assert!(o.status.success(), "{}", stderr(&o));
    let rendered = files_in(&pages);
    assert!(rendered.len() >= 3, "{rendered:?}");
    for page in &rendered {
        let bytes = fs::read(pages.join(page)).unwrap();
        // PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
        let pixels = &bytes[bytes.len() - pgm_size(&bytes)..];
        let ink = pixels.iter().filter(|&&p| p < 160).count();
        assert!(ink > 100, "{page} is blank ({ink} dark pixels)");
    }
    let text = visible_text(Format::Pdf, &pdf);
    assert!(text.contains("Scorecard") && text.contains("Finance is late with"), "{text}");
    assert!(text.contains(SCRIPT), "free text as text");
}

fn pgm_size(bytes: &[u8]) -> usize {
    let header = String::from_utf8_lossy(&bytes[..20.min(bytes.len())]).into_owned();
    let mut fields = header.split_ascii_whitespace().skip(1);
    let w: usize = fields.next().unwrap().parse().unwrap();
    let h: usize = fields.next().unwrap().parse().unwrap();
    w * h
}

#[test]
fn an_anonymous_export_names_nobody_in_any_format_and_a_named_one_does() {
    let r = room();
    for format in Format::ALL {
        let named = visible_text(format, &r.export(format, &format!("named-{}", format.as_str()), false));
        let anonymous = visible_text(format, &r.export(format, &format!("anon-{}", format.as_str()), true));
        for name in [NAME, "Morgan Boss"] {
            assert!(!anonymous.contains(name), "{name} in the anonymous {}", format.as_str());
            // The map formats never hold participants; the others show names unless anonymous.
            if !matches!(format, Format::Graphml | Format::Kumu) {
                assert!(named.contains(name), "{name} missing from the named {}", format.as_str());
            }
        }
        // Anonymous is not empty: the answers are still there.
        if matches!(format, Format::Json | Format::Csv | Format::Xlsx | Format::Report | Format::Pdf) {
            assert!(anonymous.contains("Salaries on the 25th"), "{}", format.as_str());
        }
    }
}

#[test]
fn the_map_formats_are_the_mapio_writers_output() {
    let r = room();
    let store = Store::open(&r.db).unwrap();
    let map = store.load_map(r.id).unwrap();
    let graphml = r.export(Format::Graphml, "map.graphml", false);
    assert_eq!(ripple::mapio::load(&graphml).unwrap().units, map.units);
    let kumu = r.export(Format::Kumu, "kumu", false);
    assert_eq!(files_in(&kumu), ["connections.csv", "elements.csv"]);
    assert_eq!(ripple::mapio::load(&kumu).unwrap().links, map.links);
}

#[test]
fn a_rollup_compares_two_cohorts_unit_by_unit() {
    let r = room();
    let a = r.export(Format::Json, "a.json", false);
    let mut later: serde_json::Value = serde_json::from_slice(&fs::read(&a).unwrap()).unwrap();
    later["name"] = "Cohort B <after>".into();
    let rating = later["answers"].as_array_mut().unwrap().iter_mut().find(|a| a["answer"]["question"] == "received_rating").unwrap();
    rating["answer"]["rating"] = 9.into();
    let b = r.out("b.json");
    fs::write(&b, serde_json::to_string(&later).unwrap()).unwrap();
    let out = r.out("rollup.html");
    let o = ripple(&["rollup", "--out", out.to_str().unwrap(), a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = fs::read_to_string(&out).unwrap();
    assert!(html.contains("Cohort B &lt;after&gt;") && html.contains("Demo: Northwind Home Services"));
    assert!(html.contains("Rating received from internal customers") && html.contains("Movement from"));
    assert!(html.contains("<td class=\"n\">+5.0</td>"), "finance's received rating moved from 4 to 9");
    assert!(!html.contains("http://") && !html.contains("https://"));

    // Archives of different organisations are refused.
    let mut foreign: serde_json::Value = later.clone();
    foreign["map"] = serde_json::json!({"version": 1, "name": "Elsewhere", "units": [
        {"id": "ward", "name": "Ward", "kind": "frontline"}, {"id": "patients", "name": "Patients", "kind": "external"}],
        "links": [{"provider": "ward", "customer": "patients", "service": "care", "strength": 1, "lag": 0}]});
    foreign["answers"] = serde_json::json!([]);
    foreign["game"] = serde_json::json!([]);
    for part in ["cycles", "cycle_walk", "proposals", "positions"] {
        foreign.as_object_mut().unwrap().remove(part);
    }
    let c = r.out("c.json");
    fs::write(&c, serde_json::to_string(&foreign).unwrap()).unwrap();
    let refused = r.out("refused.html");
    let o = ripple(&["rollup", "--out", refused.to_str().unwrap(), a.to_str().unwrap(), c.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("shares no unit"), "{}", stderr(&o));
    assert!(!refused.exists());
}

#[test]
fn the_command_line_exports_and_imports_and_refuses_bad_input_writing_nothing() {
    let r = room();
    let db = r.db.to_str().unwrap();
    let id = r.id.to_string();
    let out = r.out("cli.json");
    let o = ripple(&["export", "--db", db, "--workshop", &id, "--format", "json", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let other = r.out("cli-other.db");
    let o = ripple(&["import", "--db", other.to_str().unwrap(), out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let new_id: i64 = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
    assert_eq!(Store::open(&other).unwrap().workshop_name(new_id).unwrap(), "Demo: Northwind Home Services");
    // `new --from ARCHIVE` opens it too, under another name.
    let o = ripple(&["new", "--db", other.to_str().unwrap(), "--from", out.to_str().unwrap(), "--name", "Again"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again: i64 = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
    assert_eq!(Store::open(&other).unwrap().load_archive(again).unwrap().participants.len(), 3);

    let before = files_in(r.dir.path());
    let bad = r.out("bad.json");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["export", "--db", db, "--workshop", &id, "--format", "docx", "--out", r.out("x.docx").to_str().unwrap()].into_iter().map(String::from).collect(), "'docx' is not one of"),
        (vec!["export", "--db", db, "--workshop", "999", "--format", "json", "--out", r.out("x.json").to_str().unwrap()].into_iter().map(String::from).collect(), "no workshop with id 999"),
        (vec!["export", "--db", db, "--workshop", &id, "--format", "pdf", "--out", r.out("missing/x.pdf").to_str().unwrap()].into_iter().map(String::from).collect(), "does not exist"),
        (vec!["export", "--db", r.out("none.db").to_str().unwrap(), "--workshop", &id, "--format", "json", "--out", r.out("x.json").to_str().unwrap()].into_iter().map(String::from).collect(), "no database at"),
        (vec!["export", "--db", db, "--workshop", &id, "--format", "xlsx", "--out", r.dir.path().to_str().unwrap()].into_iter().map(String::from).collect(), "is a folder"),
        (vec!["import", "--db", other.to_str().unwrap(), bad.to_str().unwrap()].into_iter().map(String::from).collect(), "participants[1].manager: invalid type"),
    ];
    let mut broken: serde_json::Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    broken["participants"][1]["manager"] = "yes".into();
    fs::write(&bad, serde_json::to_string_pretty(&broken).unwrap()).unwrap();
    let before = [before, vec!["bad.json".to_owned()]].concat();
    let workshops_before = Store::open(&other).unwrap().list_workshops().unwrap().len();
    for (args, message) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = ripple(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
        let mut now = files_in(r.dir.path());
        now.retain(|f| !f.ends_with("-wal") && !f.ends_with("-shm"));
        let mut expected = before.clone();
        expected.retain(|f| !f.ends_with("-wal") && !f.ends_with("-shm"));
        expected.sort();
        assert_eq!(now, expected, "{args:?} wrote something");
    }
    assert_eq!(Store::open(&other).unwrap().list_workshops().unwrap().len(), workshops_before, "a bad archive imports nothing");
}

#[test]
fn the_benchmark_workshop_exports_to_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("b.db")).unwrap();
    let id = export::bench::build_workshop(&mut store, 40, 20, 3).unwrap();
    let archive = store.load_archive(id).unwrap();
    assert_eq!(archive.participants.len(), 40);
    assert!(archive.answers.len() >= 80 && archive.game[0].predictions.len() == 40);
    archive.check().unwrap();
    for format in Format::ALL {
        let out = dir.path().join(format!("b-{}{}", format.as_str(), format.extension()));
        export::export(&store, id, format, &out, ExportOptions::default()).unwrap();
        assert!(out.exists(), "{}", format.as_str());
    }
}
