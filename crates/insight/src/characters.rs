//! Who is in the book: proper names found in the text, their variants
//! merged into characters, where each appears, and who appears with whom.
//!
//! How a name is found:
//! - A word is a name word when it is capitalised in the middle of
//!   sentences at least [`MIN_NAME_USES`] times, almost never written in
//!   lowercase (a word that also appears lowercase is a common word:
//!   "Will", "Hope"), is not a stopword or one of [`lexicon::NOT_PEOPLE`],
//!   and is not mostly used as a place or thing (after "in", "at", "the":
//!   "at Netherfield", "the Pequod") unless it has person cues (a title
//!   before it, a speech verb beside it, a possessive).
//! - A mention is a run of name words separated by spaces only, with an
//!   optional title before it ("Mr. Darcy", "Captain Ahab") and particles
//!   glued to the word after them ("Van Helsing", "de Bourgh").
//!
//! How mentions become characters (general rules, nothing per book):
//! 1. A full name ("Elizabeth Bennet", "Abraham Van Helsing") is a person:
//!    first name(s) and surname.
//! 2. A bare first name, or a diminutive of one ([`lexicon::NICKNAMES`]:
//!    Lizzy, Eliza → Elizabeth), joins the most mentioned person with that
//!    first name.
//! 3. A title and one name: with a title used before first names (Miss,
//!    Lady, Sir, Aunt) it may join a person by first name ("Miss
//!    Elizabeth", "Lady Catherine"); otherwise by surname: Mr. joins the
//!    only man of that surname, Miss the best-known woman of that surname,
//!    Dr. or Captain the best-known person of that surname; Mrs. never
//!    joins a woman known by her first name (Mrs. Bennet is not Jane
//!    Bennet). Otherwise the titled name is its own person, one per title
//!    ("Mr. Bennet" and "Mrs. Bennet" are two).
//! 4. A bare surname joins the titled man of that name ("Darcy" → "Mr.
//!    Darcy"), else a Dr./Captain, else the only titled person, else the
//!    best-known full name with that surname; otherwise it is a person of
//!    its own (Ahab, Queequeg), and a lone diminutive joins a bare first
//!    name it stands for.
//!
//! Gender, when rules need it, comes from titles and from the first
//! pronoun after a mention in the same sentence.

use crate::doc::{Case, Doc, Gap};
use crate::lexicon::{self, TitleClass};
use quire_text::{Place, Text};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A name word needs this many uses capitalised mid-sentence.
const MIN_NAME_USES: u32 = 3;
/// A character needs this many mentions to be listed.
const MIN_MENTIONS: u32 = 3;

/// One character of the book.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Character {
    /// The name to show: the full name when the book gives one, else the
    /// most used form, exactly as written in the text.
    pub name: String,
    /// Every form found, as written, most used first ("Elizabeth",
    /// "Lizzy", "Miss Bennet").
    pub variants: Vec<Variant>,
    pub mentions: u32,
    /// Mentions in each section, in order: presence through the book.
    pub by_section: Vec<u32>,
    /// The first mention.
    pub first: Place,
    pub gender: Option<Gender>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub form: String,
    pub count: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
}

/// Two characters seen together: in the same paragraph or in neighbouring
/// paragraphs of one section (a window of two, so a line of dialogue and
/// its answer count), once per window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Together {
    /// Indexes into [`crate::Analysis::characters`].
    pub a: u32,
    pub b: u32,
    pub windows: u32,
}

/// Name-word statistics, by word id.
struct WordStats {
    cap_mid: Vec<u32>,
    cap_all: Vec<u32>,
    lower: Vec<u32>,
    place_cue: Vec<u32>,
    person_cue: Vec<u32>,
}

fn word_stats(doc: &Doc) -> WordStats {
    let n = doc.vocab.words.len();
    let mut st = WordStats {
        cap_mid: vec![0; n],
        cap_all: vec![0; n],
        lower: vec![0; n],
        place_cue: vec![0; n],
        person_cue: vec![0; n],
    };
    let place_cues: HashSet<u32> = ids(doc, lexicon::PLACE_CUES);
    let speech: HashSet<u32> = ids(doc, lexicon::SPEECH_VERBS);
    let titles: HashSet<u32> = lexicon::TITLES
        .iter()
        .filter_map(|(w, _, _)| doc.vocab.id(w))
        .collect();
    for s in 0..doc.sents.len() {
        let toks = doc.sent_toks(s);
        for (i, t) in toks.iter().enumerate() {
            let w = t.word as usize;
            match t.case {
                Case::Lower => st.lower[w] += 1,
                Case::Upper => {}
                Case::Capital => {
                    st.cap_all[w] += 1;
                    if !t.initial {
                        st.cap_mid[w] += 1;
                    }
                    let prev = (i > 0 && t.gap != Gap::Other).then(|| toks[i - 1]);
                    let next = toks.get(i + 1).filter(|n| n.gap != Gap::Other);
                    if prev.is_some_and(|p| place_cues.contains(&p.word) && p.case == Case::Lower) {
                        st.place_cue[w] += 1;
                    }
                    if t.possessive
                        || prev
                            .is_some_and(|p| titles.contains(&p.word) || speech.contains(&p.word))
                        || next.is_some_and(|n| speech.contains(&n.word))
                        || toks
                            .get(i + 1)
                            .is_some_and(|n| speech.contains(&n.word) && n.case == Case::Lower)
                    {
                        st.person_cue[w] += 1;
                    }
                }
            }
        }
    }
    st
}

fn ids(doc: &Doc, words: &[&str]) -> HashSet<u32> {
    words.iter().filter_map(|w| doc.vocab.id(w)).collect()
}

/// Which word ids are name words (see the module's first rule).
fn name_words(doc: &Doc, st: &WordStats) -> Vec<bool> {
    let not_people: HashSet<&str> = lexicon::NOT_PEOPLE.iter().copied().collect();
    (0..doc.vocab.words.len())
        .map(|w| {
            let word = doc.vocab.word(w as u32);
            if st.cap_mid[w] < MIN_NAME_USES
                || doc.vocab.is_stop(w as u32)
                || not_people.contains(word)
                || lexicon::title(word).is_some()
                || word.chars().count() < 2
                || word.contains('\'')
            {
                return false;
            }
            // Common words capitalised for emphasis or at line starts.
            if st.lower[w] * 12 > st.cap_all[w] {
                return false;
            }
            let place = st.place_cue[w];
            let person = st.person_cue[w];
            !(place * 10 >= st.cap_all[w] * 3 && person * 2 < place)
        })
        .collect()
}

/// One occurrence of a name in the text.
struct Mention {
    sent: u32,
    form: u32,
}

/// A distinct way of writing a name: its title key and name units.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct FormKey {
    title: Option<String>,
    units: Vec<String>,
}

struct Form {
    key: FormKey,
    surface: String,
    count: u32,
    male: u32,
    female: u32,
}

fn find_mentions(text: &Text, doc: &Doc, names: &[bool]) -> (Vec<Mention>, Vec<Form>) {
    let particles: HashSet<u32> = ids(doc, lexicon::PARTICLES);
    let male = ids(doc, lexicon::MALE_PRONOUNS);
    let female = ids(doc, lexicon::FEMALE_PRONOUNS);
    let mut forms: Vec<Form> = Vec::new();
    let mut by_key: HashMap<FormKey, u32> = HashMap::new();
    let mut mentions = Vec::new();
    let is_name = |t: &crate::doc::Tok| t.case == Case::Capital && names[t.word as usize];

    for s in 0..doc.sents.len() {
        let toks = doc.sent_toks(s);
        let joined = |j: usize, dot_ok: bool| {
            toks.get(j)
                .is_some_and(|t| t.gap == Gap::Space || (dot_ok && t.gap == Gap::Dot))
        };
        // A name unit starting at j: particles then a name word. Returns
        // the index after it.
        let unit_at = |j: usize| -> Option<usize> {
            let mut k = j;
            while k < toks.len() && particles.contains(&toks[k].word) && !toks[k].possessive {
                let dot_ok = doc.vocab.word(toks[k].word) == "st";
                if !joined(k + 1, dot_ok) {
                    return None;
                }
                k += 1;
            }
            (k < toks.len() && is_name(&toks[k])).then_some(k + 1)
        };
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            let mut start = i;
            let mut title = None;
            if t.case == Case::Capital
                && let Some((_, _)) = lexicon::title(doc.vocab.word(t.word))
                && !t.possessive
                && joined(i + 1, true)
                && unit_at(i + 1).is_some()
            {
                title = Some(lexicon::title_key(doc.vocab.word(t.word)).to_string());
                start = i + 1;
            }
            let Some(mut end) = unit_at(start) else {
                i += 1;
                continue;
            };
            if start > i
                || toks[start].case == Case::Capital
                || particles.contains(&toks[start].word)
            {
                let mut units: Vec<std::ops::Range<usize>> = Vec::with_capacity(4);
                units.push(start..end);
                while units.len() < 4 && !toks[end - 1].possessive && joined(end, false) {
                    match unit_at(end) {
                        Some(e) => {
                            units.push(end..e);
                            end = e;
                        }
                        None => break,
                    }
                }
                let key = FormKey {
                    title: title.clone(),
                    units: units
                        .iter()
                        .map(|r| {
                            toks[r.clone()]
                                .iter()
                                .map(|t| doc.vocab.word(t.word))
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .collect(),
                };
                let form = match by_key.get(&key) {
                    Some(&f) => f,
                    None => {
                        let para = doc.para_text(text, doc.sents[s].para);
                        let surface = para
                            .get(toks[i].start as usize..toks[end - 1].end as usize)
                            .unwrap_or_default()
                            .to_string();
                        let f = forms.len() as u32;
                        forms.push(Form {
                            key: key.clone(),
                            surface,
                            count: 0,
                            male: 0,
                            female: 0,
                        });
                        by_key.insert(key, f);
                        f
                    }
                };
                let fm = &mut forms[form as usize];
                fm.count += 1;
                if let Some(p) = toks[end..]
                    .iter()
                    .take(12)
                    .find(|t| male.contains(&t.word) || female.contains(&t.word))
                {
                    if male.contains(&p.word) {
                        fm.male += 1;
                    } else {
                        fm.female += 1;
                    }
                }
                mentions.push(Mention {
                    sent: s as u32,
                    form,
                });
            }
            i = end;
        }
    }
    (mentions, forms)
}

#[derive(Default)]
struct Person {
    forms: Vec<u32>,
    first: Option<String>,
    last: Option<String>,
    male: u32,
    female: u32,
    count: u32,
}

impl Person {
    fn gender(&self) -> Option<Gender> {
        if self.male > self.female * 2 && self.male >= 1 {
            Some(Gender::Male)
        } else if self.female > self.male * 2 && self.female >= 1 {
            Some(Gender::Female)
        } else {
            None
        }
    }
}

/// Merges forms into persons (the module's rules 1–4); returns each form's
/// person and the persons.
fn resolve(forms: &[Form]) -> (Vec<Option<u32>>, Vec<Person>) {
    let mut owner: Vec<Option<u32>> = vec![None; forms.len()];
    let mut persons: Vec<Person> = Vec::new();
    let mut full: HashMap<(String, String), u32> = HashMap::new();
    let title_class = |f: &Form| f.key.title.as_deref().and_then(lexicon::title);
    let add = |persons: &mut Vec<Person>, owner: &mut Vec<Option<u32>>, p: u32, f: usize| {
        owner[f] = Some(p);
        let person = &mut persons[p as usize];
        person.forms.push(f as u32);
        person.count += forms[f].count;
        person.male += forms[f].male;
        person.female += forms[f].female;
        match title_class(&forms[f]) {
            Some((TitleClass::Male, _)) => person.male += forms[f].count,
            Some((TitleClass::Wife | TitleClass::Maiden, _)) => person.female += forms[f].count,
            _ => {}
        }
    };

    // 1. Full names, most used first so ties go the same way every run.
    let mut order: Vec<usize> = (0..forms.len()).collect();
    order.sort_by(|&a, &b| forms[b].count.cmp(&forms[a].count).then(a.cmp(&b)));
    for &f in &order {
        let units = &forms[f].key.units;
        if units.len() >= 2 {
            let first = units[..units.len() - 1].join(" ");
            let last = units[units.len() - 1].clone();
            let p = *full
                .entry((first.clone(), last.clone()))
                .or_insert_with(|| {
                    persons.push(Person {
                        first: Some(first),
                        last: Some(last),
                        ..Person::default()
                    });
                    persons.len() as u32 - 1
                });
            add(&mut persons, &mut owner, p, f);
        }
    }
    // A full name written once may be a misreading ("Harker Jonathan"):
    // only names written at least twice attract other forms.
    let established: Vec<bool> = persons.iter().map(|p| p.count >= 2).collect();
    let by_first = |persons: &[Person], names: &[&str]| -> Vec<u32> {
        (0..persons.len() as u32)
            .filter(|&p| {
                established.get(p as usize).copied().unwrap_or(false)
                    && persons[p as usize]
                        .first
                        .as_deref()
                        .is_some_and(|f| names.contains(&f))
            })
            .collect()
    };
    let by_last = |persons: &[Person], name: &str| -> Vec<u32> {
        (0..persons.len() as u32)
            .filter(|&p| {
                established.get(p as usize).copied().unwrap_or(false)
                    && persons[p as usize].last.as_deref() == Some(name)
            })
            .collect()
    };
    let best = |persons: &[Person], cands: &[u32]| -> Option<u32> {
        cands.iter().copied().max_by(|&a, &b| {
            persons[a as usize]
                .count
                .cmp(&persons[b as usize].count)
                .then(b.cmp(&a))
        })
    };

    // 2. Bare first names and their diminutives join full names.
    for &f in &order {
        let k = &forms[f].key;
        if k.title.is_some() || k.units.len() != 1 {
            continue;
        }
        let u = k.units[0].as_str();
        if let Some(p) = best(&persons, &by_first(&persons, &[u])) {
            add(&mut persons, &mut owner, p, f);
        }
    }

    // 3. A title and one name.
    let mut titled: HashMap<(String, String), u32> = HashMap::new();
    for &f in &order {
        let k = &forms[f].key;
        let (Some(title), 1) = (k.title.as_deref(), k.units.len()) else {
            continue;
        };
        let Some((class, with_first)) = title_class(&forms[f]) else {
            continue;
        };
        let u = k.units[0].as_str();
        let compatible = |p: &u32| {
            !matches!(
                (class, persons[*p as usize].gender()),
                (TitleClass::Male, Some(Gender::Female))
                    | (TitleClass::Wife | TitleClass::Maiden, Some(Gender::Male))
            )
        };
        let mut target = None;
        if with_first {
            let mut names = vec![u];
            names.extend_from_slice(lexicon::nickname_targets(u));
            let cands: Vec<u32> = by_first(&persons, &names)
                .into_iter()
                .filter(compatible)
                .collect();
            target = best(&persons, &cands);
        }
        if target.is_none() {
            let same = by_last(&persons, u);
            target = match class {
                TitleClass::Male => {
                    let men: Vec<u32> = same
                        .iter()
                        .copied()
                        .filter(|&p| persons[p as usize].gender() == Some(Gender::Male))
                        .collect();
                    (men.len() == 1).then(|| men[0])
                }
                TitleClass::Maiden => {
                    let women: Vec<u32> = same
                        .iter()
                        .copied()
                        .filter(|&p| persons[p as usize].gender() == Some(Gender::Female))
                        .collect();
                    best(&persons, &women)
                }
                TitleClass::Neutral => {
                    let cands: Vec<u32> = same.into_iter().filter(compatible).collect();
                    best(&persons, &cands)
                }
                TitleClass::Wife => None,
            };
        }
        let p = match target {
            Some(p) => p,
            None => *titled
                .entry((title.to_string(), u.to_string()))
                .or_insert_with(|| {
                    persons.push(Person {
                        last: Some(u.to_string()),
                        ..Person::default()
                    });
                    persons.len() as u32 - 1
                }),
        };
        add(&mut persons, &mut owner, p, f);
    }

    // 2b. Diminutives join a full name's first name, unless that person
    // is mostly named with a title: a pet name is not used for someone
    // always called "Lady Catherine" (Kitty Bennet is not she).
    for &f in &order {
        let k = &forms[f].key;
        if owner[f].is_some() || k.title.is_some() || k.units.len() != 1 {
            continue;
        }
        let targets = lexicon::nickname_targets(&k.units[0]);
        let cands: Vec<u32> = by_first(&persons, targets)
            .into_iter()
            .filter(|&p| {
                let person = &persons[p as usize];
                let titled: u32 = person
                    .forms
                    .iter()
                    .filter(|&&g| forms[g as usize].key.title.is_some())
                    .map(|&g| forms[g as usize].count)
                    .sum();
                titled * 2 < person.count
            })
            .collect();
        if let Some(p) = best(&persons, &cands) {
            add(&mut persons, &mut owner, p, f);
        }
    }

    // 4. Bare names still alone: surnames, then persons of their own.
    let mut single: HashMap<String, u32> = HashMap::new();
    let mut nick_later = Vec::new();
    for &f in &order {
        let k = &forms[f].key;
        if owner[f].is_some() || k.title.is_some() || k.units.len() != 1 {
            continue;
        }
        let u = k.units[0].as_str();
        let titled_with = |class: TitleClass| {
            order.iter().copied().find(|&g| {
                let kg = &forms[g].key;
                kg.units.len() == 1
                    && kg.units[0] == u
                    && title_class(&forms[g]).is_some_and(|(c, _)| c == class)
            })
        };
        let any_titled: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&g| {
                forms[g].key.units.len() == 1
                    && forms[g].key.units[0] == u
                    && forms[g].key.title.is_some()
            })
            .collect();
        let via = titled_with(TitleClass::Male)
            .or_else(|| titled_with(TitleClass::Neutral))
            .or_else(|| {
                let owners: HashSet<Option<u32>> = any_titled.iter().map(|&g| owner[g]).collect();
                (owners.len() == 1).then(|| any_titled[0])
            });
        if let Some(p) = via.and_then(|g| owner[g]) {
            add(&mut persons, &mut owner, p, f);
            continue;
        }
        let same = by_last(&persons, u);
        let men: Vec<u32> = same
            .iter()
            .copied()
            .filter(|&p| persons[p as usize].gender() == Some(Gender::Male))
            .collect();
        if let Some(p) = best(&persons, &men).or_else(|| best(&persons, &same)) {
            add(&mut persons, &mut owner, p, f);
            continue;
        }
        if !lexicon::nickname_targets(u).is_empty() {
            nick_later.push(f);
            continue;
        }
        let p = *single.entry(u.to_string()).or_insert_with(|| {
            persons.push(Person {
                first: None,
                last: None,
                ..Person::default()
            });
            persons.len() as u32 - 1
        });
        add(&mut persons, &mut owner, p, f);
    }
    for f in nick_later {
        let u = forms[f].key.units[0].as_str();
        let target = lexicon::nickname_targets(u)
            .iter()
            .filter_map(|n| single.get(*n).copied())
            .max_by_key(|&p| persons[p as usize].count);
        let p = match target {
            Some(p) => p,
            None => *single.entry(u.to_string()).or_insert_with(|| {
                persons.push(Person::default());
                persons.len() as u32 - 1
            }),
        };
        add(&mut persons, &mut owner, p, f);
    }
    (owner, persons)
}

/// The characters, most mentioned first, and who appears with whom.
pub(crate) fn characters(text: &Text, doc: &Doc, max: usize) -> (Vec<Character>, Vec<Together>) {
    let st = word_stats(doc);
    let names = name_words(doc, &st);
    let (mentions, forms) = find_mentions(text, doc, &names);
    let (owner, persons) = resolve(&forms);

    let mut ranked: Vec<u32> = (0..persons.len() as u32)
        .filter(|&p| persons[p as usize].count >= MIN_MENTIONS)
        .collect();
    ranked.sort_by(|&a, &b| {
        persons[b as usize]
            .count
            .cmp(&persons[a as usize].count)
            .then(a.cmp(&b))
    });
    ranked.truncate(max);
    let mut slot: HashMap<u32, u32> = HashMap::new();
    for (i, &p) in ranked.iter().enumerate() {
        slot.insert(p, i as u32);
    }

    let sections = doc.section_sents.len();
    let mut out: Vec<Character> = ranked
        .iter()
        .map(|&p| {
            let person = &persons[p as usize];
            let mut variants: Vec<(u32, &Form)> = person
                .forms
                .iter()
                .map(|&f| (f, &forms[f as usize]))
                .collect();
            variants.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(&b.0)));
            let top = variants.first().map_or(0, |v| v.1.count);
            // The full name without a title when the book uses it, else
            // with one, else the most used form.
            let full_plain = variants.iter().find(|v| {
                v.1.key.units.len() >= 2 && v.1.key.title.is_none() && v.1.count * 20 >= top
            });
            let full_titled = variants
                .iter()
                .find(|v| v.1.key.units.len() >= 2 && v.1.count * 20 >= top);
            let name = full_plain
                .or(full_titled)
                .or(variants.first())
                .map_or_else(String::new, |v| v.1.surface.clone());
            let mut seen = HashSet::new();
            let variants = variants
                .iter()
                .filter(|v| seen.insert(v.1.surface.clone()))
                .map(|v| Variant {
                    form: v.1.surface.clone(),
                    count: v.1.count,
                })
                .collect();
            Character {
                name,
                variants,
                mentions: person.count,
                by_section: vec![0; sections],
                first: Place {
                    section: u32::MAX,
                    paragraph: u32::MAX,
                    sentence: u32::MAX,
                },
                gender: person.gender(),
            }
        })
        .collect();

    let mut in_para: Vec<Vec<u32>> = vec![Vec::new(); doc.paras.len()];
    for m in &mentions {
        let Some(c) = owner[m.form as usize].and_then(|p| slot.get(&p).copied()) else {
            continue;
        };
        let sent = &doc.sents[m.sent as usize];
        let ch = &mut out[c as usize];
        ch.by_section[sent.place.section as usize] += 1;
        if sent.place < ch.first {
            ch.first = sent.place;
        }
        let list = &mut in_para[sent.para as usize];
        if !list.contains(&c) {
            list.push(c);
        }
    }

    let mut pairs: HashMap<(u32, u32), u32> = HashMap::new();
    let mut window: Vec<u32> = Vec::new();
    for i in 0..doc.paras.len() {
        window.clear();
        window.extend_from_slice(&in_para[i]);
        if i + 1 < doc.paras.len() && doc.paras[i + 1].section == doc.paras[i].section {
            for &c in &in_para[i + 1] {
                if !window.contains(&c) {
                    window.push(c);
                }
            }
        }
        for x in 0..window.len() {
            for y in x + 1..window.len() {
                let (a, b) = (window[x].min(window[y]), window[x].max(window[y]));
                *pairs.entry((a, b)).or_insert(0) += 1;
            }
        }
    }
    let mut together: Vec<Together> = pairs
        .into_iter()
        .filter(|&(_, n)| n >= 2)
        .map(|((a, b), windows)| Together { a, b, windows })
        .collect();
    together.sort_by(|x, y| y.windows.cmp(&x.windows).then((x.a, x.b).cmp(&(y.a, y.b))));
    (out, together)
}
