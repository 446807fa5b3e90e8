"""Reference data the cooperative starts with (editable afterwards)."""

#: The eight sectors of the seed report, in the report's order.
SEED_SECTORS = [
    ("formation-conseil", "Formation, coaching et conseils"),
    ("tic", "Techniques de l'information et de la communication (TIC)"),
    ("sante", "Santé"),
    ("artisanat-commerce", "Artisanat, création et commerce / e-commerce"),
    ("habitat-espaces-verts", "Habitat, décoration et espaces verts"),
    ("arts-culture", "Arts et culture"),
    ("bien-etre", "Bien-être et développement personnel"),
    ("services-entreprises", "Autres services aux entreprises et collectivités"),
]
