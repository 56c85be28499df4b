//! Quire's own words for the demo: short, spoiler-free descriptions and
//! discussion questions for the Project Gutenberg novels, shown on the book
//! page as "Written by Quire". Keyed by Gutenberg ebook number.

pub struct DemoText {
    pub ebook: u32,
    pub first_published: i32,
    pub description: &'static str,
    pub questions: &'static [&'static str],
}

pub const DEMO_TEXTS: &[DemoText] = &[
    DemoText {
        ebook: 1342,
        first_published: 1813,
        description: "Five unmarried sisters, a mother set on marrying them well, and a father who prefers his library. When a wealthy young man rents the house nearby, the Bennet household is thrown into a season of balls, visits and misjudgements, and the sharp-tongued second daughter, Elizabeth, meets a man whose pride she cannot forgive.",
        questions: &[
            "First impressions drive much of the story. Which early judgement of a character did you share, and when did you change your mind?",
            "How does money, and the law about who inherits it, shape the choices open to the Bennet sisters?",
            "Elizabeth and her sister Jane read people very differently. Whose way of seeing others would you rather have?",
            "Which marriage in the novel seems to you the happiest, and what makes it so?",
        ],
    },
    DemoText {
        ebook: 84,
        first_published: 1818,
        description: "Told through letters written by an explorer on his way to the Arctic, the novel follows a gifted young student of natural philosophy who discovers how to give life to lifeless matter, and the being he creates and then abandons.",
        questions: &[
            "The story is told by several narrators nested inside each other. How does that change how much you trust what you read?",
            "Who do you think is more responsible for what follows: the creator or what he creates?",
            "What does the novel suggest about the duties of someone who makes something new?",
            "Which moments made you feel sympathy you did not expect to feel?",
        ],
    },
    DemoText {
        ebook: 2701,
        first_published: 1851,
        description: "A restless young man signs on to a whaling ship out of Nantucket and finds himself under a captain consumed by a single purpose. Part sea story, part natural history, part meditation, it mixes chapters of adventure with long digressions on whales and the whaling trade.",
        questions: &[
            "Ishmael often leaves the story to explain whales and whaling. Did these chapters add to the book for you, or hold it up?",
            "What draws the crew to follow their captain, and what would it have taken to refuse?",
            "How does the friendship between Ishmael and Queequeg challenge the attitudes of their time?",
        ],
    },
    DemoText {
        ebook: 345,
        first_published: 1897,
        description: "A young English solicitor travels to Transylvania to help a nobleman buy a house in England. Told in diaries, letters and newspaper cuttings, the novel follows what he finds there and what follows the Count to England.",
        questions: &[
            "The story is pieced together from diaries, letters and cuttings. What does this form add to the suspense?",
            "How do the characters use the new technology of their day, and does it help them?",
            "What does the novel seem to fear most?",
        ],
    },
    DemoText {
        ebook: 514,
        first_published: 1868,
        description: "Four sisters grow up in a New England household while their father is away at war: Meg, Jo, Beth and Amy, each with her own hopes and faults, and the neighbour boy who becomes part of their family.",
        questions: &[
            "Which of the four sisters did you recognise most, and has that changed since you first met the book?",
            "What does the novel say about work, money and ambition for young women of its time?",
            "How do the sisters' small daily trials prepare them for larger ones?",
        ],
    },
    DemoText {
        ebook: 64317,
        first_published: 1925,
        description: "One summer on Long Island, a young bond salesman rents a cottage next to the mansion of a mysterious host whose parties draw half of New York. Through him he is drawn into the lives of the rich people across the bay.",
        questions: &[
            "Nick calls himself one of the few honest people he has known. Do you believe him?",
            "What do the parties tell us about the people who come to them?",
            "How does the novel use places, East Egg, West Egg and the valley of ashes, to say something about class?",
        ],
    },
    DemoText {
        ebook: 11,
        first_published: 1865,
        description: "A bored girl follows a hurrying white rabbit down a hole and into a world of shifting sizes, riddles without answers, a tea party that never ends and a queen fond of executions.",
        questions: &[
            "Alice keeps trying to apply the rules she learned at school. What happens when she does?",
            "Which piece of wordplay or nonsense stayed with you, and why?",
            "Is this a book for children, for adults, or for both in different ways?",
        ],
    },
    DemoText {
        ebook: 1260,
        first_published: 1847,
        description: "An orphan raised by an unkind aunt and schooled in a harsh charity institution becomes a governess at a remote manor, where she must decide what she owes to others and what she owes to herself.",
        questions: &[
            "Jane tells her own story years later. How does her older voice shape how we see her younger self?",
            "What do the different houses Jane lives in have in common, and how does each change her?",
            "Where does Jane draw the line between love and self-respect?",
        ],
    },
    DemoText {
        ebook: 768,
        first_published: 1847,
        description: "A tenant visiting his landlord at a farmhouse on the Yorkshire moors hears the history of two families and of a foundling brought into one of them, told by the housekeeper who watched it unfold.",
        questions: &[
            "The story reaches us through a visitor and a housekeeper. How reliable do you find each of them?",
            "Is the central bond of the novel a love story? What else could you call it?",
            "How does the landscape of the moors shape the people who live there?",
        ],
    },
    DemoText {
        ebook: 1661,
        first_published: 1892,
        description: "Twelve cases of the consulting detective of Baker Street, told by his friend and flatmate the doctor: stolen jewels, strange requests, vanished bridegrooms and a king in trouble.",
        questions: &[
            "Which case did you most enjoy trying to solve before Holmes explained it?",
            "What does Watson bring to the stories besides telling them?",
            "How do the crimes in these stories reflect the worries of their time?",
        ],
    },
];

/// A review Quire writes for a demo book, as a reader of Quire's own: it
/// answers "would you recommend this to a book club?", so the book page's
/// recommendation line has something to count. It carries no rating, so
/// the demo's ratings stay those of real readers.
pub struct DemoReview {
    pub ebook: u32,
    pub headline: &'static str,
    pub body: &'static str,
    pub recommends: bool,
}

pub const DEMO_REVIEWS: &[DemoReview] = &[
    DemoReview {
        ebook: 1342,
        headline: "Talk about it for an evening",
        body: "Every chapter gives a group something to argue about: who misjudged whom, and whether the misjudgement was fair at the time. The dialogue reads aloud well, and the money talk is sharper than its reputation suggests.",
        recommends: true,
    },
    DemoReview {
        ebook: 84,
        headline: "Shorter and stranger than the films",
        body: "The nested narrators make a good first question for a club: whose story is this? Readers who know only the films are surprised by how much the created being speaks, and how well.",
        recommends: true,
    },
    DemoReview {
        ebook: 2701,
        headline: "A big book for a patient club",
        body: "The chase is thrilling and the digressions divide readers sharply. Plan two meetings, or pick a set of chapters; a club that reads it in one month tends to split into finishers and skimmers.",
        recommends: false,
    },
    DemoReview {
        ebook: 345,
        headline: "Letters, diaries and dread",
        body: "Told in documents, so a club can ask who knew what and when. The first chapters in the castle are the most gripping; the middle slows, and the ending is quicker than many expect.",
        recommends: true,
    },
    DemoReview {
        ebook: 514,
        headline: "Warm, and easy to discuss",
        body: "Each sister gives readers someone to side with, and clubs usually do. The second half draws the liveliest talk about choices and how the book rewards or judges them.",
        recommends: true,
    },
    DemoReview {
        ebook: 64317,
        headline: "Short enough for any club",
        body: "Under two hundred pages, with a narrator whose reliability is worth a whole meeting. The parties glitter, the people are careless, and the last chapters land hard.",
        recommends: true,
    },
    DemoReview {
        ebook: 11,
        headline: "Fun to read aloud, harder to discuss",
        body: "The wordplay and nonsense are a joy, but there is little plot to hold a conversation. Better for a light evening, or for a club reading with children, than for a long discussion.",
        recommends: false,
    },
    DemoReview {
        ebook: 1260,
        headline: "A voice that carries the whole book",
        body: "The narrator speaks to the reader directly, and clubs end up debating her as much as the plot. Questions of independence and conscience give plenty to talk about.",
        recommends: true,
    },
    DemoReview {
        ebook: 768,
        headline: "Divisive in the best way",
        body: "Nobody in it is easy to like, which makes for heated meetings. The framing narrators and the second generation give a club a structure to pick apart.",
        recommends: true,
    },
    DemoReview {
        ebook: 1661,
        headline: "One story a week",
        body: "Twelve self-contained cases suit a club that meets often, or one that wants something lighter between long novels. Try to solve each one before the reveal.",
        recommends: true,
    },
];
