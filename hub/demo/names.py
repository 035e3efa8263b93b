"""Invented words for the demonstration: cooperatives, people, streets, towns.

Everything here is made up for the demonstration; the towns and postcodes are real places so
that the exports look like a CAE's own files, and the people living there are invented.
"""

from __future__ import annotations

# Towns of each département the demonstration CAEs work in: (postcode, town).
TOWNS: dict[str, tuple[tuple[str, str], ...]] = {
    # Nouvelle-Aquitaine
    "16": (("16000", "Angoulême"), ("16100", "Cognac"), ("16300", "Barbezieux-Saint-Hilaire")),
    "17": (("17000", "La Rochelle"), ("17100", "Saintes"), ("17300", "Rochefort")),
    "19": (("19000", "Tulle"), ("19100", "Brive-la-Gaillarde"), ("19200", "Ussel")),
    "23": (("23000", "Guéret"), ("23200", "Aubusson"), ("23300", "La Souterraine")),
    "24": (("24000", "Périgueux"), ("24100", "Bergerac"), ("24200", "Sarlat-la-Canéda")),
    "33": (
        ("33000", "Bordeaux"),
        ("33130", "Bègles"),
        ("33400", "Talence"),
        ("33500", "Libourne"),
        ("33600", "Pessac"),
        ("33700", "Mérignac"),
    ),
    "40": (("40000", "Mont-de-Marsan"), ("40100", "Dax"), ("40200", "Mimizan")),
    "47": (("47000", "Agen"), ("47200", "Marmande"), ("47300", "Villeneuve-sur-Lot")),
    "64": (("64000", "Pau"), ("64100", "Bayonne"), ("64200", "Biarritz"), ("64400", "Oloron")),
    "79": (("79000", "Niort"), ("79100", "Thouars"), ("79300", "Bressuire")),
    "86": (("86000", "Poitiers"), ("86100", "Châtellerault"), ("86500", "Montmorillon")),
    "87": (("87000", "Limoges"), ("87200", "Saint-Junien"), ("87300", "Bellac")),
    # Occitanie
    "09": (("09000", "Foix"), ("09100", "Pamiers"), ("09200", "Saint-Girons")),
    "11": (("11000", "Carcassonne"), ("11100", "Narbonne"), ("11300", "Limoux")),
    "12": (("12000", "Rodez"), ("12100", "Millau"), ("12200", "Villefranche-de-Rouergue")),
    "30": (("30000", "Nîmes"), ("30100", "Alès"), ("30400", "Villeneuve-lès-Avignon")),
    "31": (
        ("31000", "Toulouse"),
        ("31200", "Toulouse"),
        ("31300", "Toulouse"),
        ("31400", "Toulouse"),
        ("31600", "Muret"),
        ("31800", "Saint-Gaudens"),
    ),
    "32": (("32000", "Auch"), ("32300", "Mirande"), ("32500", "Fleurance")),
    "34": (("34000", "Montpellier"), ("34200", "Sète"), ("34500", "Béziers")),
    "46": (("46000", "Cahors"), ("46100", "Figeac"), ("46300", "Gourdon")),
    "48": (("48000", "Mende"), ("48100", "Marvejols"), ("48200", "Saint-Chély-d'Apcher")),
    "65": (("65000", "Tarbes"), ("65100", "Lourdes"), ("65200", "Bagnères-de-Bigorre")),
    "66": (("66000", "Perpignan"), ("66100", "Perpignan"), ("66400", "Céret")),
    "81": (("81000", "Albi"), ("81100", "Castres"), ("81600", "Gaillac")),
    "82": (("82000", "Montauban"), ("82100", "Castelsarrasin"), ("82200", "Moissac")),
    # Elsewhere
    "38": (("38000", "Grenoble"), ("38200", "Vienne"), ("38300", "Bourgoin-Jallieu")),
    "69": (("69003", "Lyon"), ("69100", "Villeurbanne"), ("69400", "Villefranche-sur-Saône")),
    "44": (("44000", "Nantes"), ("44600", "Saint-Nazaire"), ("44800", "Saint-Herblain")),
    "49": (("49000", "Angers"), ("49300", "Cholet"), ("49400", "Saumur")),
    "35": (("35000", "Rennes"), ("35400", "Saint-Malo"), ("35300", "Fougères")),
    "56": (("56000", "Vannes"), ("56100", "Lorient"), ("56300", "Pontivy")),
}

FEMALE_FIRST_NAMES = (
    "Adèle", "Agathe", "Alice", "Amandine", "Anaïs", "Aurélie", "Camille", "Capucine", "Céline",
    "Chloé", "Claire", "Clémence", "Coralie", "Élodie", "Émilie", "Estelle", "Fanny", "Gaëlle",
    "Hélène", "Inès", "Jeanne", "Julie", "Justine", "Laetitia", "Laura", "Léa", "Lucie", "Maëlle",
    "Manon", "Margaux", "Marie", "Mathilde", "Mélanie", "Nadia", "Nathalie", "Noémie", "Océane",
    "Pauline", "Rose", "Sabrina", "Salomé", "Sandrine", "Sarah", "Solène", "Sophie", "Valérie",
    "Yasmina", "Zoé",
)  # fmt: skip

MALE_FIRST_NAMES = (
    "Adrien", "Alexandre", "Antoine", "Arnaud", "Baptiste", "Benoît", "Bruno", "Cédric",
    "Christophe", "Damien", "David", "Denis", "Djamel", "Éric", "Étienne", "Fabien", "Florian",
    "François", "Frédéric", "Gaël", "Guillaume", "Hervé", "Hugo", "Jérémy", "Jérôme", "Joël",
    "Julien", "Karim", "Kévin", "Laurent", "Loïc", "Lucas", "Marc", "Mathieu", "Maxime", "Mehdi",
    "Nicolas", "Olivier", "Pascal", "Patrick", "Philippe", "Pierre", "Quentin", "Rachid",
    "Romain", "Samuel", "Sébastien", "Stéphane", "Thibault", "Thierry", "Thomas", "Vincent",
    "Xavier", "Yannick", "Yohann",
)  # fmt: skip

LAST_NAMES = (
    "Abadie", "Arnaudet", "Barthe", "Bergès", "Bordenave", "Bousquet", "Cabanes", "Camboulives",
    "Capdevielle", "Carrère", "Castagné", "Cazaux", "Chabrol", "Combes", "Coustet", "Daguerre",
    "Darrigrand", "Delmas", "Descamps", "Dufau", "Dupouy", "Duprat", "Escudé", "Espinasse",
    "Estrade", "Fabre", "Faure", "Ferrand", "Fourcade", "Garcia", "Gaubert", "Gimenez",
    "Goyhenetche", "Guiraud", "Haristoy", "Hourcade", "Idiart", "Jaulin", "Labat", "Labarthe",
    "Lacoste", "Lafargue", "Lagarde", "Lamarque", "Larrieu", "Lasserre", "Laporte", "Lavergne",
    "Lescure", "Loustau", "Magnaval", "Marty", "Massol", "Maurel", "Mesplède", "Moreau",
    "Nadal", "Navarre", "Olivier", "Pagès", "Palacin", "Pujol", "Rascol", "Raynal", "Recurt",
    "Rouquette", "Roussel", "Sabatier", "Salles", "Sarrat", "Soulé", "Tarbès", "Teyssier",
    "Tournier", "Vidal", "Vignaux", "Boucheron", "Chevalier", "Lemoine", "Nguyen", "Benali",
    "Haddad", "Mendes", "Ferreira", "Da Silva", "Kowalski", "Ortiz", "Perrin", "Renaud",
    "Brunet", "Gauthier", "Le Goff", "Kerbrat", "Morvan", "Tessier", "Rivière", "Bonnet",
)  # fmt: skip

STREETS = (
    "rue des Lilas", "avenue de la Libération", "chemin des Vignes", "rue du Moulin",
    "impasse des Tilleuls", "rue Victor-Hugo", "allée des Chênes", "route de la Gare",
    "rue de la République", "place du Marché", "rue Jean-Jaurès", "chemin de la Fontaine",
    "rue des Artisans", "avenue des Pyrénées", "rue du Pont", "boulevard Gambetta",
)  # fmt: skip

STUDY_LEVELS = ("CAP", "BEP", "Bac pro", "Bac", "BTS", "Licence", "Master")

# Words a tradesperson puts before their name on their business's sign, by NAF code.
TRADE_SIGNS = {
    "41.20A": "Maisons",
    "41.20B": "Construction",
    "43.11Z": "Démolition",
    "43.12A": "Terrassement",
    "43.21A": "Électricité",
    "43.22A": "Plomberie",
    "43.22B": "Chauffage et climatisation",
    "43.29A": "Isolation",
    "43.31Z": "Plâtrerie",
    "43.32A": "Menuiserie",
    "43.32B": "Serrurerie",
    "43.33Z": "Carrelage",
    "43.34Z": "Peinture",
    "43.39Z": "Finitions",
    "43.91A": "Charpente",
    "43.91B": "Couverture",
    "43.99A": "Étanchéité",
    "43.99C": "Maçonnerie",
    "43.99D": "Travaux spéciaux",
    "71.11Z": "Atelier d'architecture",
    "71.12B": "Bureau d'études",
    "81.30Z": "Jardins",
}
