"""What the screens are built from: widgets, forms, the theme, and words for times and vocabularies."""
