// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    {
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            eprintln!("Ripple needs a display: neither DISPLAY nor WAYLAND_DISPLAY is set. Start it from a desktop session (or under xvfb-run for tests).");
            std::process::exit(1);
        }
        // WebKitGTK draws a blank window on some GPUs (and under Xvfb) with its DMA-BUF
        // renderer; compositing off also saves ~65 MB. A value the user set wins.
        for var in ["WEBKIT_DISABLE_DMABUF_RENDERER", "WEBKIT_DISABLE_COMPOSITING_MODE"] {
            if std::env::var_os(var).is_none() {
                std::env::set_var(var, "1");
            }
        }
    }
    ripple_desktop::run();
}
