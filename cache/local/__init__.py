"""The local music folder as a media source: scanner, tag reader and the generated demo library."""
