// People and places of the demo data set: name tables per culture, streets, the tenants' cities,
// and how names become greetings, email addresses and postal addresses.
#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "src/crm/demo_internal.h"

namespace crmi::crm::demo_internal {
namespace {

// ---- Names ----

constexpr NameEntry kEnFirst[] = {
    {"Emma", ""},      {"Liam", ""},    {"Olivia", ""},    {"Noah", ""},     {"Ava", ""},
    {"James", ""},     {"Sophia", ""},  {"William", ""},   {"Isabella", ""}, {"Benjamin", ""},
    {"Mia", ""},       {"Lucas", ""},   {"Charlotte", ""}, {"Henry", ""},    {"Amelia", ""},
    {"Alexander", ""}, {"Harper", ""},  {"Daniel", ""},    {"Evelyn", ""},   {"Michael", ""},
    {"Abigail", ""},   {"Ethan", ""},   {"Emily", ""},     {"Jacob", ""},    {"Elizabeth", ""},
    {"Samuel", ""},    {"Sofia", ""},   {"David", ""},     {"Ella", ""},     {"Joseph", ""},
    {"Grace", ""},     {"Matthew", ""}, {"Chloe", ""},     {"Andrew", ""},   {"Hannah", ""},
    {"Ryan", ""},      {"Zoe", ""},     {"Nathan", ""},    {"Lily", ""},     {"Owen", ""},
    {"Priya", ""},     {"Arjun", ""},   {"Mei", ""},       {"Wei", ""},      {"Aisha", ""},
    {"Omar", ""},      {"Fatima", ""},  {"Diego", ""},     {"Lucia", ""},    {"Carlos", ""},
    {"Kwame", ""},     {"Amara", ""},   {"Sean", ""},      {"Siobhan", ""},  {"Margaret", ""},
    {"Robert", ""},    {"Susan", ""},   {"Richard", ""},   {"Patricia", ""}, {"Thomas", ""},
    {"Linda", ""},     {"Charles", ""}, {"Barbara", ""},   {"George", ""},   {"Karen", ""},
    {"Paul", ""},      {"Janet", ""},   {"Kevin", ""},     {"Deborah", ""},  {"Ian", ""}};

constexpr NameEntry kEnLast[] = {
    {"Smith", ""},     {"Johnson", ""},  {"Williams", ""},  {"Brown", ""},    {"Jones", ""},
    {"Miller", ""},    {"Davis", ""},    {"Wilson", ""},    {"Anderson", ""}, {"Taylor", ""},
    {"Thomas", ""},    {"Moore", ""},    {"Martin", ""},    {"Jackson", ""},  {"Thompson", ""},
    {"White", ""},     {"Harris", ""},   {"Clark", ""},     {"Lewis", ""},    {"Robinson", ""},
    {"Walker", ""},    {"Young", ""},    {"Allen", ""},     {"King", ""},     {"Wright", ""},
    {"Scott", ""},     {"Hill", ""},     {"Green", ""},     {"Adams", ""},    {"Baker", ""},
    {"Campbell", ""},  {"Mitchell", ""}, {"Roberts", ""},   {"Carter", ""},   {"Phillips", ""},
    {"Evans", ""},     {"Turner", ""},   {"Parker", ""},    {"Collins", ""},  {"Edwards", ""},
    {"Stewart", ""},   {"Morris", ""},   {"Murphy", ""},    {"Cook", ""},     {"Rogers", ""},
    {"Morgan", ""},    {"Cooper", ""},   {"Peterson", ""},  {"Reed", ""},     {"Bailey", ""},
    {"Bell", ""},      {"Kelly", ""},    {"Howard", ""},    {"Ward", ""},     {"Richardson", ""},
    {"Wood", ""},      {"Watson", ""},   {"Brooks", ""},    {"Bennett", ""},  {"Gray", ""},
    {"Hughes", ""},    {"Price", ""},    {"Sanders", ""},   {"Patel", ""},    {"Nguyen", ""},
    {"Chen", ""},      {"Wong", ""},     {"Singh", ""},     {"Kim", ""},      {"Garcia", ""},
    {"Rodriguez", ""}, {"Lopez", ""},    {"Hernandez", ""}, {"O'Brien", ""},  {"MacDonald", ""},
    {"Fraser", ""},    {"Sharma", ""},   {"Ali", ""},       {"Khan", ""},     {"Okafor", ""},
    {"Mensah", ""},    {"Kowalski", ""}, {"Rossi", ""},     {"Tremblay", ""}, {"Leblanc", ""}};

constexpr NameEntry kFrFirst[] = {
    {"Jean", ""},     {"Marie", ""},    {"Pierre", ""},  {"Camille", ""},   {"Louis", ""},
    {"Chloé", ""},    {"Gabriel", ""},  {"Léa", ""},     {"Julien", ""},    {"Manon", ""},
    {"Nicolas", ""},  {"Sophie", ""},   {"Antoine", ""}, {"Élodie", ""},    {"Mathieu", ""},
    {"Isabelle", ""}, {"François", ""}, {"Amélie", ""},  {"Olivier", ""},   {"Juliette", ""},
    {"Étienne", ""},  {"Céline", ""},   {"Hugo", ""},    {"Claire", ""},    {"Thomas", ""},
    {"Inès", ""},     {"Rémi", ""},     {"Margaux", ""}, {"Alexandre", ""}, {"Nathalie", ""},
    {"Benoît", ""},   {"Émilie", ""},   {"Luc", ""},     {"Geneviève", ""}, {"Marc", ""},
    {"Sylvie", ""}};

constexpr NameEntry kFrLast[] = {
    {"Martin", ""},   {"Bernard", ""},  {"Dubois", ""},   {"Thomas", ""},    {"Robert", ""},
    {"Richard", ""},  {"Petit", ""},    {"Durand", ""},   {"Leroy", ""},     {"Moreau", ""},
    {"Simon", ""},    {"Laurent", ""},  {"Lefèvre", ""},  {"Michel", ""},    {"Garcia", ""},
    {"David", ""},    {"Bertrand", ""}, {"Roux", ""},     {"Vincent", ""},   {"Fournier", ""},
    {"Morel", ""},    {"Girard", ""},   {"André", ""},    {"Mercier", ""},   {"Dupont", ""},
    {"Lambert", ""},  {"Bonnet", ""},   {"François", ""}, {"Gagnon", ""},    {"Roy", ""},
    {"Côté", ""},     {"Bouchard", ""}, {"Gauthier", ""}, {"Morin", ""},     {"Lavoie", ""},
    {"Fortin", ""},   {"Gagné", ""},    {"Ouellet", ""},  {"Pelletier", ""}, {"Bélanger", ""},
    {"Lévesque", ""}, {"Tremblay", ""}};

constexpr NameEntry kDeFirst[] = {
    {"Lukas", ""},     {"Anna", ""},      {"Leon", ""},       {"Lena", ""},    {"Finn", ""},
    {"Marie", ""},     {"Jonas", ""},     {"Sophie", ""},     {"Paul", ""},    {"Laura", ""},
    {"Felix", ""},     {"Julia", ""},     {"Maximilian", ""}, {"Hannah", ""},  {"Elias", ""},
    {"Lea", ""},       {"Tim", ""},       {"Sarah", ""},      {"Jan", ""},     {"Katharina", ""},
    {"Niklas", ""},    {"Johanna", ""},   {"Moritz", ""},     {"Clara", ""},   {"Tobias", ""},
    {"Charlotte", ""}, {"Sebastian", ""}, {"Miriam", ""},     {"Florian", ""}, {"Jana", ""},
    {"Matthias", ""},  {"Sabine", ""},    {"Stefan", ""},     {"Petra", ""},   {"Jürgen", ""},
    {"Ute", ""},       {"Andreas", ""},   {"Birgit", ""},     {"Thomas", ""},  {"Monika", ""}};

constexpr NameEntry kDeLast[] = {
    {"Müller", ""},   {"Schmidt", ""},  {"Schneider", ""}, {"Fischer", ""},  {"Weber", ""},
    {"Meyer", ""},    {"Wagner", ""},   {"Becker", ""},    {"Schulz", ""},   {"Hoffmann", ""},
    {"Schäfer", ""},  {"Koch", ""},     {"Bauer", ""},     {"Richter", ""},  {"Klein", ""},
    {"Wolf", ""},     {"Schröder", ""}, {"Neumann", ""},   {"Schwarz", ""},  {"Zimmermann", ""},
    {"Braun", ""},    {"Krüger", ""},   {"Hofmann", ""},   {"Hartmann", ""}, {"Lange", ""},
    {"Schmitt", ""},  {"Werner", ""},   {"Schmitz", ""},   {"Krause", ""},   {"Meier", ""},
    {"Lehmann", ""},  {"Schmid", ""},   {"Schulze", ""},   {"Maier", ""},    {"Köhler", ""},
    {"Herrmann", ""}, {"König", ""},    {"Walter", ""},    {"Mayer", ""},    {"Huber", ""},
    {"Kaiser", ""},   {"Fuchs", ""},    {"Peters", ""},    {"Lang", ""},     {"Scholz", ""},
    {"Möller", ""},   {"Weiß", ""},     {"Jung", ""},      {"Hahn", ""},     {"Vogel", ""},
    {"Demir", ""},    {"Nowak", ""}};

constexpr NameEntry kJaFirst[] = {
    {"翔太", "Shota"},   {"蓮", "Ren"},      {"大翔", "Hiroto"},   {"悠真", "Yuma"},
    {"陽翔", "Haruto"},  {"湊", "Minato"},   {"健太", "Kenta"},    {"拓也", "Takuya"},
    {"大輔", "Daisuke"}, {"直樹", "Naoki"},  {"誠", "Makoto"},     {"浩二", "Koji"},
    {"和也", "Kazuya"},  {"隆", "Takashi"},  {"結衣", "Yui"},      {"陽菜", "Hina"},
    {"葵", "Aoi"},       {"美咲", "Misaki"}, {"さくら", "Sakura"}, {"愛", "Ai"},
    {"由美", "Yumi"},    {"恵子", "Keiko"},  {"真由美", "Mayumi"}, {"彩", "Aya"},
    {"奈々", "Nana"},    {"優子", "Yuko"},   {"明美", "Akemi"},    {"千尋", "Chihiro"},
    {"美穂", "Miho"},    {"智子", "Tomoko"}};

constexpr NameEntry kJaLast[] = {
    {"佐藤", "Sato"},      {"鈴木", "Suzuki"},     {"高橋", "Takahashi"}, {"田中", "Tanaka"},
    {"伊藤", "Ito"},       {"渡辺", "Watanabe"},   {"山本", "Yamamoto"},  {"中村", "Nakamura"},
    {"小林", "Kobayashi"}, {"加藤", "Kato"},       {"吉田", "Yoshida"},   {"山田", "Yamada"},
    {"佐々木", "Sasaki"},  {"山口", "Yamaguchi"},  {"松本", "Matsumoto"}, {"井上", "Inoue"},
    {"木村", "Kimura"},    {"林", "Hayashi"},      {"斎藤", "Saito"},     {"清水", "Shimizu"},
    {"山崎", "Yamazaki"},  {"森", "Mori"},         {"池田", "Ikeda"},     {"橋本", "Hashimoto"},
    {"阿部", "Abe"},       {"石川", "Ishikawa"},   {"山下", "Yamashita"}, {"中島", "Nakajima"},
    {"前田", "Maeda"},     {"藤田", "Fujita"},     {"小川", "Ogawa"},     {"岡田", "Okada"},
    {"後藤", "Goto"},      {"長谷川", "Hasegawa"}, {"村上", "Murakami"},  {"近藤", "Kondo"},
    {"石井", "Ishii"},     {"坂本", "Sakamoto"},   {"遠藤", "Endo"},      {"青木", "Aoki"}};

// ---- Streets ----

constexpr std::string_view kNaStreets[] = {
    "Maple Street",        "Oak Avenue",         "Cedar Lane",
    "Elm Street",          "Pine Crescent",      "Birch Road",
    "Willow Drive",        "King Street West",   "Queen Street East",
    "Lakeshore Boulevard", "Park Avenue",        "Main Street",
    "Washington Street",   "Lincoln Avenue",     "Highland Road",
    "Riverside Drive",     "Spring Garden Road", "Broadway",
    "Harbour View Road",   "Sunset Boulevard"};
constexpr std::string_view kQcStreets[] = {
    "rue Saint-Denis",   "boulevard René-Lévesque", "avenue du Parc", "rue Sherbrooke Ouest",
    "chemin Sainte-Foy", "rue Saint-Jean",          "avenue Laurier", "rue Notre-Dame Est"};
constexpr std::string_view kGbStreets[] = {
    "High Street", "Station Road", "Church Lane",  "Victoria Road", "Mill Lane",     "Park Road",
    "London Road", "Queens Road",  "The Crescent", "Kings Road",    "Albert Street", "Manor Way"};
constexpr std::string_view kDeStreets[] = {"Hauptstraße",    "Bahnhofstraße", "Gartenstraße",
                                           "Schillerstraße", "Goethestraße",  "Lindenallee",
                                           "Bergstraße",     "Kirchweg",      "Friedrichstraße",
                                           "Kastanienallee", "Leopoldstraße", "Schanzenstraße"};
constexpr std::string_view kFrStreets[] = {
    "rue de la République", "avenue Victor Hugo", "boulevard Voltaire", "rue des Lilas",
    "rue de la Paix",       "avenue Jean Jaurès", "rue Pasteur",        "cours Lafayette",
    "rue Sainte-Catherine", "quai des Chartrons", "rue Oberkampf",      "rue Mercière"};
constexpr std::string_view kAuStreets[] = {
    "George Street", "Collins Street", "Chapel Street",   "Oxford Street", "Brunswick Street",
    "Queen Street",  "Beach Road",     "Glenferrie Road", "Military Road", "Coronation Drive"};
// Japanese addresses carry the district in City::area; streets are unused.
constexpr std::string_view kJpStreets[] = {""};

// ---- Cities ----
// Phone patterns use ranges reserved for fiction where they exist (NANP 555, Ofcom drama
// numbers, ARCEP fiction blocks, ACMA fictitious numbers).

constexpr City kBankCities[] = {
    {Culture::kEnUS, "Boston", "Boston", "MA", "US", "021##", "+1 617-555-####", ""},
    {Culture::kEnUS, "New York", "New York", "NY", "US", "100##", "+1 212-555-####", ""},
    {Culture::kEnUS, "Chicago", "Chicago", "IL", "US", "606##", "+1 312-555-####", ""},
    {Culture::kEnUS, "Seattle", "Seattle", "WA", "US", "981##", "+1 206-555-####", ""},
    {Culture::kEnUS, "Denver", "Denver", "CO", "US", "802##", "+1 303-555-####", ""},
    {Culture::kEnUS, "Minneapolis", "Minneapolis", "MN", "US", "554##", "+1 612-555-####", ""},
    {Culture::kEnUS, "Charlotte", "Charlotte", "NC", "US", "282##", "+1 704-555-####", ""},
    {Culture::kEnUS, "San Francisco", "San Francisco", "CA", "US", "941##", "+1 415-555-####", ""},
    {Culture::kEnCA, "Toronto", "Toronto", "ON", "CA", "M#@ #@#", "+1 416-555-####", ""},
    {Culture::kEnCA, "Vancouver", "Vancouver", "BC", "CA", "V#@ #@#", "+1 604-555-####", ""},
    {Culture::kEnCA, "Calgary", "Calgary", "AB", "CA", "T#@ #@#", "+1 403-555-####", ""},
    {Culture::kEnCA, "Ottawa", "Ottawa", "ON", "CA", "K#@ #@#", "+1 613-555-####", ""},
    {Culture::kEnCA, "Halifax", "Halifax", "NS", "CA", "B#@ #@#", "+1 902-555-####", ""},
    {Culture::kEnCA, "Mississauga", "Mississauga", "ON", "CA", "L#@ #@#", "+1 905-555-####", ""},
    {Culture::kFrCA, "Montreal", "Montréal", "QC", "CA", "H#@ #@#", "+1 514-555-####", ""},
    {Culture::kFrCA, "Quebec City", "Québec", "QC", "CA", "G#@ #@#", "+1 418-555-####", ""}};

// Grouped by market: US 0-7, UK 8-10, DE 11-13, FR 14-16, JP 17-22, AU 23-25.
constexpr City kRetailCities[] = {
    {Culture::kEnUS, "Boston", "Boston", "MA", "US", "021##", "+1 617-555-####", ""},
    {Culture::kEnUS, "New York", "New York", "NY", "US", "100##", "+1 212-555-####", ""},
    {Culture::kEnUS, "Chicago", "Chicago", "IL", "US", "606##", "+1 312-555-####", ""},
    {Culture::kEnUS, "Seattle", "Seattle", "WA", "US", "981##", "+1 206-555-####", ""},
    {Culture::kEnUS, "Austin", "Austin", "TX", "US", "787##", "+1 512-555-####", ""},
    {Culture::kEnUS, "Atlanta", "Atlanta", "GA", "US", "303##", "+1 404-555-####", ""},
    {Culture::kEnUS, "Los Angeles", "Los Angeles", "CA", "US", "900##", "+1 213-555-####", ""},
    {Culture::kEnUS, "Portland", "Portland", "OR", "US", "972##", "+1 503-555-####", ""},
    {Culture::kEnGB, "London", "London", "Greater London", "GB", "SE# #@@", "+44 20 7946 0###", ""},
    {Culture::kEnGB, "Manchester", "Manchester", "Greater Manchester", "GB", "M# #@@",
     "+44 161 496 0###", ""},
    {Culture::kEnGB, "Edinburgh", "Edinburgh", "Scotland", "GB", "EH# #@@", "+44 131 496 0###", ""},
    {Culture::kDeDE, "Berlin", "Berlin", "Berlin", "DE", "10###", "+49 30 2#######", ""},
    {Culture::kDeDE, "Munich", "München", "Bayern", "DE", "80###", "+49 89 2#######", ""},
    {Culture::kDeDE, "Hamburg", "Hamburg", "Hamburg", "DE", "20###", "+49 40 3#######", ""},
    {Culture::kFrFR, "Paris", "Paris", "Île-de-France", "FR", "7501#", "+33 1 99 00 ## ##", ""},
    {Culture::kFrFR, "Lyon", "Lyon", "Auvergne-Rhône-Alpes", "FR", "6900#", "+33 4 65 71 ## ##",
     ""},
    {Culture::kFrFR, "Bordeaux", "Bordeaux", "Nouvelle-Aquitaine", "FR", "33000",
     "+33 5 36 49 ## ##", ""},
    {Culture::kJaJP, "Tokyo", "渋谷区", "東京都", "JP", "150-0001", "+81 3-####-####", "神宮前"},
    {Culture::kJaJP, "Tokyo", "世田谷区", "東京都", "JP", "154-0024", "+81 3-####-####",
     "三軒茶屋"},
    {Culture::kJaJP, "Tokyo", "港区", "東京都", "JP", "106-0032", "+81 3-####-####", "六本木"},
    {Culture::kJaJP, "Tokyo", "目黒区", "東京都", "JP", "152-0035", "+81 3-####-####", "自由が丘"},
    {Culture::kJaJP, "Osaka", "大阪市北区", "大阪府", "JP", "530-0001", "+81 6-####-####", "梅田"},
    {Culture::kJaJP, "Osaka", "大阪市中央区", "大阪府", "JP", "542-0076", "+81 6-####-####",
     "難波"},
    {Culture::kEnAU, "Sydney", "Sydney", "NSW", "AU", "20##", "+61 2 5550 ####", ""},
    {Culture::kEnAU, "Melbourne", "Melbourne", "VIC", "AU", "30##", "+61 3 7010 ####", ""},
    {Culture::kEnAU, "Brisbane", "Brisbane", "QLD", "AU", "40##", "+61 7 7010 ####", ""}};

// Transliterations for the Latin letters that occur in the name tables.
constexpr std::pair<std::string_view, std::string_view> kFold[] = {
    {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}, {"Ä", "ae"}, {"Ö", "oe"}, {"Ü", "ue"},
    {"é", "e"},  {"è", "e"},  {"ê", "e"},  {"ë", "e"},  {"É", "e"},  {"à", "a"},  {"â", "a"},
    {"ç", "c"},  {"î", "i"},  {"ï", "i"},  {"ô", "o"},  {"û", "u"},  {"ù", "u"},  {"ł", "l"}};

}  // namespace

std::span<const NameEntry> FirstNames(Culture c) {
  switch (c) {
    case Culture::kFrCA:
    case Culture::kFrFR:
      return kFrFirst;
    case Culture::kDeDE:
      return kDeFirst;
    case Culture::kJaJP:
      return kJaFirst;
    default:
      return kEnFirst;
  }
}

std::span<const NameEntry> LastNames(Culture c) {
  switch (c) {
    case Culture::kFrCA:
    case Culture::kFrFR:
      return kFrLast;
    case Culture::kDeDE:
      return kDeLast;
    case Culture::kJaJP:
      return kJaLast;
    default:
      return kEnLast;
  }
}

std::span<const std::string_view> Streets(Culture c) {
  switch (c) {
    case Culture::kEnUS:
    case Culture::kEnCA:
      return kNaStreets;
    case Culture::kFrCA:
      return kQcStreets;
    case Culture::kEnGB:
      return kGbStreets;
    case Culture::kDeDE:
      return kDeStreets;
    case Culture::kFrFR:
      return kFrStreets;
    case Culture::kJaJP:
      return kJpStreets;
    case Culture::kEnAU:
      return kAuStreets;
  }
  return kNaStreets;
}

std::span<const City> BankCities() { return kBankCities; }
std::span<const City> RetailCities() { return kRetailCities; }

std::string_view LocaleOf(Culture c) {
  switch (c) {
    case Culture::kEnUS:
      return "en-US";
    case Culture::kEnCA:
      return "en-CA";
    case Culture::kFrCA:
      return "fr-CA";
    case Culture::kEnGB:
      return "en-GB";
    case Culture::kDeDE:
      return "de-DE";
    case Culture::kFrFR:
      return "fr-FR";
    case Culture::kJaJP:
      return "ja-JP";
    case Culture::kEnAU:
      return "en-AU";
  }
  return "en-US";
}

std::string_view EmailDomain(Culture c, Rng* rng) {
  // Reserved example domains (RFC 2606) dressed per country; bare example.org is kept for leads.
  static constexpr std::string_view kDomains[][2] = {
      {"example.com", "mail.example.com"},        {"ca.example.com", "example.net"},
      {"qc.example.net", "courriel.example.com"}, {"uk.example.net", "mail.example.net"},
      {"de.example.net", "post.example.com"},     {"fr.example.com", "courriel.example.net"},
      {"jp.example.com", "mail.example.net"},     {"au.example.com", "example.net"}};
  return kDomains[static_cast<int>(c)][rng->Below(2)];
}

std::string AsciiName(const NameEntry& n) {
  const std::string_view text = n.ascii.empty() ? n.text : n.ascii;
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
      ++i;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out.push_back(c);
      ++i;
    } else if (static_cast<unsigned char>(c) < 0x80) {
      ++i;  // apostrophes, hyphens, spaces
    } else {
      const auto* fold = std::find_if(std::begin(kFold), std::end(kFold), [&](const auto& f) {
        return text.substr(i, f.first.size()) == f.first;
      });
      if (fold != std::end(kFold)) {
        out.append(fold->second);
        i += fold->first.size();
      } else {
        ++i;  // other non-ASCII bytes are dropped
      }
    }
  }
  return out;
}

std::string GreetingName(Culture c, const NameEntry& first, const NameEntry& last) {
  if (c == Culture::kJaJP) return std::string(last.ascii) + "-san";
  return std::string(first.text);
}

std::string FullName(Culture c, const NameEntry& first, const NameEntry& last) {
  if (c == Culture::kJaJP) return std::string(last.text) + " " + std::string(first.text);
  return std::string(first.text) + " " + std::string(last.text);
}

std::string EmailAddress(const NameEntry& first, const NameEntry& last, uint64_t unique,
                         std::string_view domain, Rng* rng) {
  const std::string f = AsciiName(first);
  const std::string l = AsciiName(last);
  std::string out;
  switch (rng->Below(5)) {
    case 0:
      out = f + "." + l;
      break;
    case 1:
      out = f + l;
      break;
    case 2:
      out = f.substr(0, 1) + "." + l;
      break;
    case 3:
      out = f + "_" + l;
      break;
    default:
      out = l + "." + f;
      break;
  }
  out += std::to_string(unique);
  out.push_back('@');
  out.append(domain);
  return out;
}

void WriteAddress(JsonWriter* w, std::string_view key, const City& city, Rng* rng) {
  const auto streets = Streets(city.culture);
  std::string street;
  switch (city.culture) {
    // One draw per statement: operands of + are unsequenced, and the output must not depend
    // on the compiler's evaluation order.
    case Culture::kJaJP:
      street = std::string(city.area) + std::to_string(rng->Between(1, 6));
      street += "-" + std::to_string(rng->Between(1, 24));
      street += "-" + std::to_string(rng->Between(1, 18));
      break;
    case Culture::kDeDE:
      street = std::string(rng->Pick(streets));
      street += " " + std::to_string(rng->Between(1, 140));
      break;
    default:
      street = std::to_string(rng->Between(1, 2400));
      street += " " + std::string(rng->Pick(streets));
      break;
  }
  w->Begin(key)
      .Str("street", street)
      .Str("city", city.city)
      .Str("state", city.state)
      .Str("postal_code", FillPattern(city.postal, rng))
      .Str("country", city.country)
      .End();
}

}  // namespace crmi::crm::demo_internal
