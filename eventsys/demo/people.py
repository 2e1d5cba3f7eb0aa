"""The demo's people: partner institutions (real) and visiting speakers (invented)."""

from datetime import date

# Partners first: the traditional cooperation with Russia and Ukraine, then Europe, Japan and the USA.
# `partner_since` is set only for institutions with a cooperation agreement.
INSTITUTIONS = (
    {"name": "Lomonosov Moscow State University", "country": "RU", "city": "Moscow",
     "website": "https://www.msu.ru", "partner_since": date(2006, 10, 12)},
    {"name": "Bauman Moscow State Technical University", "country": "RU", "city": "Moscow",
     "website": "https://bmstu.ru", "partner_since": date(2005, 6, 3)},
    # Formerly Samara State Aerospace University, the name the school profile still uses.
    {"name": "Samara National Research University", "country": "RU", "city": "Samara",
     "website": "https://ssau.ru", "partner_since": date(2009, 9, 21)},
    {"name": "Russian Academy of Sciences", "country": "RU", "city": "Moscow",
     "website": "https://www.ras.ru", "partner_since": date(2011, 4, 18)},
    {"name": 'National Technical University of Ukraine "Igor Sikorsky Kyiv Polytechnic Institute"',
     "country": "UA", "city": "Kyiv", "website": "https://kpi.ua", "partner_since": date(2010, 5, 27)},
    {"name": 'National Aerospace University "Kharkiv Aviation Institute"', "country": "UA",
     "city": "Kharkiv", "website": "https://khai.edu", "partner_since": date(2012, 11, 6)},
    {"name": "Technical University of Munich", "country": "DE", "city": "Munich",
     "website": "https://www.tum.de", "partner_since": date(2014, 3, 14)},
    {"name": "Politecnico di Milano", "country": "IT", "city": "Milan",
     "website": "https://www.polimi.it", "partner_since": date(2015, 7, 9)},
    {"name": "Tohoku University", "country": "JP", "city": "Sendai",
     "website": "https://www.tohoku.ac.jp", "partner_since": date(2013, 10, 30)},
    {"name": "Delft University of Technology", "country": "NL", "city": "Delft",
     "website": "https://www.tudelft.nl", "partner_since": date(2017, 5, 16)},
    {"name": "ISAE-SUPAERO", "country": "FR", "city": "Toulouse",
     "website": "https://www.isae-supaero.fr", "partner_since": date(2016, 9, 8)},
    {"name": "University of Cambridge", "country": "GB", "city": "Cambridge",
     "website": "https://www.cam.ac.uk", "partner_since": None},
    {"name": "Imperial College London", "country": "GB", "city": "London",
     "website": "https://www.imperial.ac.uk", "partner_since": None},
    {"name": "Georgia Institute of Technology", "country": "US", "city": "Atlanta",
     "website": "https://www.gatech.edu", "partner_since": None},
    {"name": "KTH Royal Institute of Technology", "country": "SE", "city": "Stockholm",
     "website": "https://www.kth.se", "partner_since": None},
)

# Invented people. The speaker's country is taken from their institution.
SPEAKERS = (
    {"name": "Alistair Penhallow", "title": "Prof.", "email": "alistair.penhallow@example.org",
     "institution": "University of Cambridge",
     "honours": ("Nobel Laureate", "Member of the Academia Europaea"),
     "expertise": ("cell signalling", "biomedical microdevices"),
     "biography": "Alistair Penhallow studies how cells sense and answer mechanical forces. His work on "
                  "signalling pathways was recognised with the Nobel Prize in Physiology or Medicine, and "
                  "he now champions collaborations between medicine and engineering."},
    {"name": "Arkady Volobuev", "title": "Academician", "email": "arkady.volobuev@example.org",
     "institution": "Russian Academy of Sciences",
     "honours": ("Member of the Russian Academy of Sciences",),
     "expertise": ("orbital mechanics", "spacecraft attitude control"),
     "biography": "Arkady Volobuev heads a laboratory of applied celestial mechanics. He designed the "
                  "attitude control of several Earth observation satellites and has supervised more than "
                  "forty doctoral students."},
    {"name": "Svetlana Orekhova", "title": "Prof.", "email": "svetlana.orekhova@example.org",
     "institution": "Lomonosov Moscow State University",
     "honours": ("Highly Cited Researcher", "Member of the Academia Europaea"),
     "expertise": ("nanocomposites", "thin-film mechanics"),
     "biography": "Svetlana Orekhova works on the mechanics of nanostructured films and coatings. Her group "
                  "combines molecular simulation with nano-indentation experiments."},
    {"name": "Gleb Sorokovikov", "title": "Prof.", "email": "gleb.sorokovikov@example.org",
     "institution": "Bauman Moscow State Technical University",
     "honours": ("Foreign Thousand Talents Program Participant",),
     "expertise": ("spacecraft thermal control", "rocket propulsion"),
     "biography": "Gleb Sorokovikov teaches spacecraft thermal design and has spent two decades testing "
                  "heat pipes and radiators in thermal vacuum chambers. He has been a visiting professor "
                  "at the School of Astronautics since 2018."},
    {"name": "Taras Levkovych", "title": "Prof.", "email": "taras.levkovych@example.org",
     "institution": 'National Technical University of Ukraine "Igor Sikorsky Kyiv Polytechnic Institute"',
     "honours": ("IEEE Fellow", "Highly Cited Researcher"),
     "expertise": ("networked control systems", "fault-tolerant control"),
     "biography": "Taras Levkovych develops control methods for systems whose sensors and actuators talk "
                  "over unreliable networks. He is an associate editor of two IEEE transactions."},
    {"name": "Oksana Zavhorodnia", "title": "Dr.", "email": "oksana.zavhorodnia@example.org",
     "institution": 'National Aerospace University "Kharkiv Aviation Institute"',
     "honours": ("WORLD FELLOW of ICCM",),
     "expertise": ("composite aerostructures", "structural health monitoring"),
     "biography": "Oksana Zavhorodnia designs composite wing and fuselage panels with embedded sensors. "
                  "She leads the composites testing laboratory of her university."},
    {"name": "Konstantin Berezhnoy", "title": "Prof.", "email": "k.berezhnoy@example.org",
     "institution": "Samara National Research University",
     "honours": ("Foreign Thousand Talents Program Participant",),
     "expertise": ("micro/nano-satellites", "formation flying"),
     "biography": "Konstantin Berezhnoy has led the design of five university nanosatellites, three of them "
                  "built with students from Harbin. His current work is on formation flying of CubeSats."},
    {"name": "Lukas Brandhuber", "title": "Prof.", "email": "lukas.brandhuber@example.org",
     "institution": "Technical University of Munich",
     "honours": ("IEEE Fellow", "Member of the Academia Europaea"),
     "expertise": ("MEMS sensors", "heterogeneous integration"),
     "biography": "Lukas Brandhuber works on packaging and integration of micro-electro-mechanical systems. "
                  "Several of his inertial sensors are in use in industrial robots and small satellites."},
    {"name": "Chiara Valmontesi", "title": "Prof.", "email": "chiara.valmontesi@example.org",
     "institution": "Politecnico di Milano",
     "honours": ("WORLD FELLOW of ICCM", "Highly Cited Researcher"),
     "expertise": ("shape-memory polymers", "4D printing", "deployable structures"),
     "biography": "Chiara Valmontesi studies shape-memory polymer composites and how to print them. Her "
                  "deployable hinges have flown on two technology demonstration missions."},
    {"name": "Haruto Kirisame", "title": "Prof.", "email": "haruto.kirisame@example.org",
     "institution": "Tohoku University",
     "honours": ("IEEE Fellow",),
     "expertise": ("MEMS sensors", "micro-actuators"),
     "biography": "Haruto Kirisame builds MEMS gyroscopes and micro-actuators in the university's "
                  "micro-fabrication facility. He works closely with industry on sensors for navigation."},
    {"name": "Marcus Delacroix-Hale", "title": "Prof.", "email": "m.delacroix-hale@example.com",
     "institution": "Georgia Institute of Technology",
     "honours": ("IEEE Fellow", "Member of the National Academy of Engineering"),
     "expertise": ("networked control systems", "autonomous spacecraft guidance"),
     "biography": "Marcus Delacroix-Hale researches guidance and control for autonomous spacecraft and "
                  "swarms of small satellites. He previously worked for ten years in the space industry."},
    {"name": "Femke Oosterwold", "title": "Dr.", "email": "femke.oosterwold@example.org",
     "institution": "Delft University of Technology",
     "honours": ("Foreign Thousand Talents Program Participant",),
     "expertise": ("micro/nano-satellites", "CubeSat propulsion"),
     "biography": "Femke Oosterwold designs micro-propulsion systems for CubeSats and PocketQubes. She "
                  "teaches the school's summer course on small-satellite engineering."},
    {"name": "Ingrid Halvorsen-Lund", "title": "Prof.", "email": "ingrid.halvorsen-lund@example.org",
     "institution": "KTH Royal Institute of Technology",
     "honours": ("Highly Cited Researcher",),
     "expertise": ("wearable biosensors", "space physiology"),
     "biography": "Ingrid Halvorsen-Lund develops wearable sensors that monitor astronauts and patients. "
                  "Her group tested its sensors in parabolic flights and in intensive care units."},
    {"name": "Emile Rocheforte", "title": "Prof.", "email": "emile.rocheforte@example.org",
     "institution": "ISAE-SUPAERO",
     "honours": (),
     "expertise": ("orbital mechanics", "space debris mitigation"),
     "biography": "Emile Rocheforte teaches orbital mechanics and mission analysis. He has chaired the jury "
                  "of several student satellite competitions in Europe."},
    {"name": "Naomi Ashgrove", "title": "Prof.", "email": "naomi.ashgrove@example.com",
     "institution": "Imperial College London",
     "honours": ("Highly Cited Researcher",),
     "expertise": ("medical robotics", "surgical microsystems"),
     "biography": "Naomi Ashgrove builds small robots for minimally invasive surgery. She co-founded two "
                  "medical device companies and advises hospitals on bringing robotics to the theatre."},
)
