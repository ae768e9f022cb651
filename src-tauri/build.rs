// The app's own commands are declared here so that capabilities can grant them
// per window (`allow-list-workshops`, …) instead of every window getting all.
const COMMANDS: &[&str] = &[
    "list_workshops",
    "list_templates",
    "create_workshop",
    "rename_workshop",
    "duplicate_workshop",
    "delete_workshop",
    "open_workshop",
    "current_workshop",
    "apply",
    "presenter_clock",
    "set_projector",
    "recovery_notice",
    "restore_backup",
    "list_displays",
    "open_audience",
    "close_audience",
    "online_status",
    "go_online",
    "go_offline",
    "participation",
    "open_kiosk",
    "map_from_files",
    "game_rounds",
    "incident_suggestions",
    "cycle_templates",
    "scorecard",
    "scorecard_movement",
    "export_workshop",
    "import_archive",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
