// The app's own commands are declared here so that capabilities can grant them
// per window (`allow-list-workshops`, …) instead of every window getting all.
const COMMANDS: &[&str] = &["list_workshops", "open_workshop"];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
