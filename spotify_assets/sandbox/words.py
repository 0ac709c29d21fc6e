"""The vocabularies names are built from.

Each name is a few slots, each slot one entry of a list below ("" entries leave the slot out, and
repeat to make it likely). Accents, CJK, Hangul and emoji are mixed in on purpose: the pipeline must
carry them through every layer. The words are generic; any resemblance of a combination to a
real name is chance.
"""

ARTIST_PREFIX = ("",) * 14 + ("The", "DJ", "Los", "Lil", "MC", "Les", "Die", "Orquesta", "Young")
ARTIST_FIRST = (
    "Amélie", "Søren", "Chloé", "Mateo", "Aïsha", "Kenji", "Yuna", "Lúcia", "Émile", "Noa",
    "Thiago", "Ingrid", "Dimitri", "Oluwaseun", "Priya", "Mira", "Ravi", "Léa", "Nikolai",
    "Ana", "Felipe", "Jonas", "Camila", "Hugo", "Siobhán", "Ximena", "Björn", "Renée", "Zoltán",
    "Ayşe", "Malik", "Freya", "Velvet", "Neon", "Midnight", "Golden", "Silver", "Electric",
    "Crystal", "Wild", "Silent", "Broken", "Hollow", "Cosmic", "Paper", "Northern", "Lunar",
    "Crimson", "Señor", "Über", "夜明け", "星野", "青い", "月光", "사랑", "하늘", "雨宮", "桜",
)  # fmt: skip
ARTIST_SECOND = ("",) * 6 + (
    "Okafor", "Nakamura", "Ríos", "Dubois", "Müller", "Lindqvist", "Kowalski", "Haddad",
    "García", "Moreau", "Novak", "Silva", "Petrov", "Nguyen", "Chen", "Kim", "O'Brien",
    "Fernández", "Østergaard", "Harbors", "Wolves", "Machines", "Echoes", "Satellites",
    "Gardens", "Tigers", "Lanterns", "Rivers", "Ghosts", "Foxes", "Comets", "Parades",
    "Mirrors", "Cañones", "Äpfel", "バンド", "乐队", "오케스트라", "Embers", "Signals",
)  # fmt: skip
ARTIST_SUFFIX = ("",) * 24 + (
    "🌙", "🔥", "✨", "🎧", "Trio", "Quartet", "& The Night Shift", "Orchestra", "Collective",
    "y Su Banda", "Sound System", "(UK)",
)  # fmt: skip
ARTIST_NAME = (ARTIST_PREFIX, ARTIST_FIRST, ARTIST_SECOND, ARTIST_SUFFIX)

# Compilations take a prefix; index 0 ("") is what every other album gets.
ALBUM_PREFIX = ("", "Best of", "Greatest Hits:", "The Essential", "Anthology:", "Collected:")
ALBUM_FIRST = (
    "Blue", "Endless", "Velvet", "Quiet", "Été", "Nocturne", "Saudade", "Lumière",
    "Kaleidoscope", "Electric", "Paper", "Golden", "Northern", "Wild", "Broken", "Silver",
    "Modern", "Lost", "Secret", "Sweet", "Distant", "Fading", "Última", "Schöne", "未来",
    "ひかり", "꿈", "永遠", "Neon", "Hidden", "Little", "Second", "Strange", "Brave",
)  # fmt: skip
ALBUM_SECOND = ("",) * 4 + (
    "Summer", "Horizons", "Nights", "Dreams", "Highway", "Skyline", "Letters", "Signals",
    "Tides", "Hearts", "Machines", "Stories", "Corazón", "Fenêtre", "Mañana", "Paradise",
    "Gardens", "Waves", "Frequencies", "Season", "Memories", "Cities", "Mountains", "Years",
)  # fmt: skip
ALBUM_SUFFIX = ("",) * 16 + (
    "(Deluxe Edition)", "(Remastered 2011)", "(Live)", "- EP", "Vol. 2", "(Expanded)", "🌊",
    "(Original Motion Picture Soundtrack)",
)  # fmt: skip
ALBUM_NAME = (ALBUM_PREFIX, ALBUM_FIRST, ALBUM_SECOND, ALBUM_SUFFIX)

TRACK_FIRST = (
    "Love", "Fire", "Ocean", "Dancing", "Running", "Lonely", "Golden", "Forever", "Tonight",
    "Falling", "Señorita", "Café", "Déjà", "Naïve", "Über", "天使", "さくら", "사랑해", "💔",
    "Midnight", "Broken", "Electric", "Summer", "Crazy", "Holy", "Secret", "Wild", "Little",
    "Blue", "Sweet", "Velvet", "Cold", "Bright", "Última", "Château", "Ñapa", "Jól", "Sunrise",
)  # fmt: skip
TRACK_SECOND = ("",) * 5 + (
    "Heart", "Rain", "Home", "Light", "Dreams", "Lights", "Again", "Alone", "Away", "Gold",
    "Stars", "Roads", "Blues", "Song", "Amor", "Noche", "Coração", "Skin", "Fever", "Paradise",
    "Machine", "Letter", "Garden", "River", "静か", "Nights", "Echo", "Motion", "Smile",
)  # fmt: skip
TRACK_VERSION = ("",) * 18 + (
    "- Remastered", "(Live)", "(Radio Edit)", "- Acoustic", "(Remix)", "- Demo", "(Interlude)",
    "🎶",
)  # fmt: skip
TRACK_NAME = (TRACK_FIRST, TRACK_SECOND, TRACK_VERSION)

GENRES = (
    "pop", "dance pop", "indie rock", "rock", "alt z", "k-pop", "j-pop", "latin pop",
    "reggaeton", "hip hop", "trap", "r&b", "neo soul", "jazz", "bebop", "classical", "baroque",
    "metal", "death metal", "punk", "house", "techno", "drum and bass", "ambient", "folk",
    "country", "bluegrass", "afrobeats", "amapiano", "bossa nova", "mpb", "samba", "chanson",
    "schlager", "c-pop", "mandopop", "cantopop", "bollywood", "tango", "flamenco",
    "música mexicana", "cumbia", "k-indie", "city pop", "shoegaze", "synthwave", "lo-fi beats",
    "gospel", "blues", "soul", "funk", "disco", "grime", "drill", "reggae", "ska", "emo",
    "grunge", "opera", "chill pop",
)  # fmt: skip
# An artist has one to three genres; "" leaves a slot empty (about one artist in eight has none).
GENRE_FIRST = ("", *GENRES[:7], *GENRES)
GENRE_OTHER = ("",) * 40 + GENRES
ARTIST_GENRES = (GENRE_FIRST, GENRE_OTHER, GENRE_OTHER)

PLAYLIST_FIRST = (
    "Chill", "Workout", "Sunday", "Late Night", "Road Trip", "Focus", "Throwback", "Summer",
    "Rainy Day", "Café", "Party", "Sleep", "深夜", "드라이브", "Fiesta", "Été", "Morning",
)  # fmt: skip
PLAYLIST_SECOND = (
    "Vibes", "Mix", "Hits", "Classics", "Essentials", "Beats", "Jams", "Playlist",
    "Favourites", "Anthems", "Grooves", "ソング", "Canciones",
)  # fmt: skip
PLAYLIST_SUFFIX = ("",) * 8 + ("🔥", "☕", "🌧️", "2024", "90s", "(Updated Weekly)")
PLAYLIST_NAME = (PLAYLIST_FIRST, PLAYLIST_SECOND, PLAYLIST_SUFFIX)

LABELS = (
    "Nebula Records", "Casa Azul Música", "Tōkyō Sound Works", "Independent",
    "Northern Lights Recordings", "Maison Lumière", "Kowloon Beats", "Blue Harbor",
    "Studio Ñ", "Ørsted Tapes", "Seoul Garden Ent.", "Velvet Moth", "Atlas & Sons",
)  # fmt: skip

# (id, display name); the first is the sandbox app's own user. User ids are free-form on Spotify,
# and display names may be null.
USERS = (
    ("spotify-assets-sandbox", "Sandbox Owner"),
    ("mélanie.dupont", "Mélanie Dupont"),
    ("kenji_1987", "健二"),
    ("31l7xq2vz4k5b6c7d8e9f0ga", "Ana Lúcia"),
    ("12182737766", None),
    ("djfrostbyte", "DJ Frostbyte ❄️"),
    ("lena.k", "Lena K."),
)

# (name, publisher, language)
SHOWS = (
    ("The Daily Groove", "Sandbox Media", "en"),
    ("Historias de la Música", "Radio Ñ", "es"),
    ("音楽の時間", "Tōkyō Sound Works", "ja"),
    ("Liner Notes", "Blue Harbor", "en"),
    ("Le Son du Soir", "Maison Lumière", "fr"),
    ("Crate Diggers 🎙️", "Velvet Moth", "en"),
)

EPISODE_TOPICS = (
    "The making of", "A night with", "Why we still love", "Inside", "Ten years of",
    "Rediscovering", "Behind the scenes:", "Remembering",
)  # fmt: skip

MARKETS = (
    "AD", "AE", "AR", "AT", "AU", "BE", "BG", "BO", "BR", "CA", "CH", "CL", "CO", "CR", "CY",
    "CZ", "DE", "DK", "DO", "EC", "EE", "EG", "ES", "FI", "FR", "GB", "GR", "GT", "HK", "HN",
    "HU", "ID", "IE", "IL", "IN", "IS", "IT", "JP", "KR", "LT", "LU", "LV", "MA", "MX", "MY",
    "NG", "NI", "NL", "NO", "NZ", "PA", "PE", "PH", "PL", "PT", "PY", "RO", "SE", "SG", "SK",
    "SV", "TH", "TR", "TW", "US", "UY", "VN", "ZA",
)  # fmt: skip

# ISRC country codes, weighted like a catalog dominated by a few markets.
ISRC_COUNTRIES = ("US",) * 5 + ("GB",) * 3 + ("DE", "FR", "JP", "KR", "SE", "BR", "MX", "ES")
