"""External datasets: the Beyond One World benchmark's own files (import, export, download)."""
