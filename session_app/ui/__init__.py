"""Qt widgets. Thin: they bind models and services and display them."""
