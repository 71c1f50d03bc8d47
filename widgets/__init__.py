"""ipywidgets components of the kit: state classes hold no widgets; views compose and observe."""
