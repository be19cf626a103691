"""Media library scanning (pure) and the libvlc player wrapper. Nothing clinical."""
