"""Load the demo: a user for every role, the board, and an article in every state.

Every article is written and moved through the workflow by the real services, so the transition
log, assignments and reviews are what the product itself would have recorded. Running the command
again changes nothing: users, groups and board members are looked up first, and an article whose
address (slug) exists is skipped.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles import services as content
from articles.models import Article, ArticleState, Specialty
from articles.permissions import AUTHORS_GROUP, EDITORS_GROUP
from articles.services import RevisionContent
from identity import services as identity_services
from identity.policy import second_factor_required
from reviewboard import services, services_profiles as profiles, services_threads as threads
from reviewboard.management.profile import add_allow_production_argument, refuse_production_unless_allowed
from reviewboard.models import BoardMember, Decision, ReviewAssignment
from reviewboard.review_models import ChecklistItem
from reviewboard.roles import grant_editor_permissions
from reviewboard.selectors import checklist_items

DEMO_PASSWORD = "demo-pass-2025"  # noqa: S105  (the documented demo logins, see README)

SPECIALTIES = [("Neurology", "neurology"), ("Cardiology", "cardiology"), ("Pharmacology", "pharmacology")]
# Each specialty's review checklist: (item, required).
CHECKLIST = [
    ("Consistent with current guidelines", True),
    ("Doses, routes and frequencies correct", True),
    ("Contraindications and interactions stated", True),
    ("Evidence current (within about five years, or still the standard)", False),
    ("Patient summary plain and accurate", True),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    group: str | None = None
    is_staff: bool = False
    is_superuser: bool = False
    credentials: str = ""
    specialty: str = ""


USERS = [
    DemoUser("admin", "Alex", "Morgan", is_staff=True, is_superuser=True),
    DemoUser("editor", "Elena", "Marsh", group=EDITORS_GROUP, is_staff=True),
    DemoUser("author", "Daniel", "Okafor", group=AUTHORS_GROUP),
    DemoUser("dr.neuro", "Helen", "Carter", credentials="MD", specialty="neurology"),
    DemoUser("dr.neuro2", "Samuel", "Lindqvist", credentials="MD", specialty="neurology"),
    DemoUser("dr.cardio", "Marcus", "Bell", credentials="MD, FACC", specialty="cardiology"),
    DemoUser("dr.pharma", "Aisha", "Rahman", credentials="PharmD, PhD", specialty="pharmacology"),
]

# The demo board's public profiles (fictional institutions): affiliation and disclosure.
DEMO_PROFILES = {
    "dr.neuro": ("Riverside University Hospital, Department of Neurology", ""),
    "dr.neuro2": ("Northgate Movement Disorders Clinic", "Consulting fees from a maker of deep brain stimulators."),
    "dr.cardio": ("St Aidan's Heart Centre", ""),
    "dr.pharma": ("School of Pharmacy, Lakeshore University", ""),
}

MYOCLONUS_SLUG = "what-causes-myoclonus-jerks"

MYOCLONUS = RevisionContent(
    title="What causes myoclonus (jerks)?",
    summary_patient=(
        "Myoclonus means sudden, brief muscle jerks you cannot control. Many things can cause it: "
        "epilepsy, fainting, a brain injury or stroke, kidney or liver failure, some medicines and "
        "diseases of the nervous system. Treatment depends on the cause, and some medicines can make "
        "the jerks less frequent and less severe. See a doctor if the jerks are new, frequent or "
        "come with other symptoms."
    ),
    summary_professional=(
        "Myoclonus is a sign, not a diagnosis: most cases are symptomatic (posthypoxic, toxic-metabolic, "
        "drug-induced, neurodegenerative), with physiological, essential and epileptic forms less common. "
        "Physiological classification (cortical, cortical-subcortical, subcortical-nonsegmental, segmental, "
        "peripheral) guides therapy: levetiracetam, valproate and clonazepam for cortical myoclonus, often "
        "in combination; botulinum toxin for focal and segmental forms. Phenytoin is often ineffective."
    ),
    sections=[
        {
            "heading": "From the Guidelines",
            "body": (
                "Myoclonus, or sudden, brief, involuntary muscle jerks, can be caused by a variety of factors "
                "including epilepsy, syncope, brain injury, stroke, kidney or liver failure, certain "
                "medications, and neurodegenerative diseases. These jerks can occur from abnormal electrical "
                "activity in the brain or spinal cord that triggers muscle contractions [1]. According to the "
                "European Heart Journal, myoclonus in syncope occurs when the electroencephalogram (EEG) is "
                "slow but not flat, and the mere presence of myoclonus is not sufficient evidence for an "
                "epileptic seizure [1]."
            ),
        },
        {
            "heading": "Possible Causes of Myoclonus",
            "level": 2,
            "body": (
                "- Epilepsy\n"
                "- Syncope\n"
                "- Brain injury\n"
                "- Stroke\n"
                "- Kidney or liver failure\n"
                "- Certain medications\n"
                "- Neurodegenerative diseases like Alzheimer's or Parkinson's disease\n"
                "- Metabolic disorders such as hypoxia (oxygen deprivation), electrolyte imbalances, and drug "
                "reactions"
            ),
        },
        {
            "heading": "Treatment of Myoclonus",
            "level": 2,
            "body": (
                "Treatment depends on identifying the underlying cause, with medications like clonazepam "
                "(0.5-2mg daily), valproic acid (250-500mg twice daily), or levetiracetam (500-1500mg twice "
                "daily) often prescribed to reduce the severity and frequency of jerks [1]. These medications "
                "work by enhancing inhibitory neurotransmission in the central nervous system or stabilizing "
                "overactive neural circuits responsible for the abnormal movements."
            ),
        },
        {
            "heading": "Important Considerations",
            "level": 2,
            "body": (
                "- Myoclonus can be particularly difficult to treat, and phenytoin is often ineffective [1].\n"
                "- Propofol is effective to suppress post-anoxic myoclonus [1].\n"
                "- Clonazepam, sodium valproate, and levetiracetam are antimyoclonic drugs that may be "
                "effective in post-anoxic myoclonus [1].\n"
                "- The use of prophylactic anticonvulsant drugs after cardiac arrest in adults has been "
                "insufficiently studied, and routine seizure prophylaxis in post-cardiac arrest patients is "
                "not recommended due to the risk of adverse effects and the poor response to anti-epileptic "
                "agents among patients with clinical and electrographic seizures [1]."
            ),
        },
        {"heading": "From the Research", "body": ""},
        {
            "heading": "Causes of Myoclonus",
            "level": 2,
            "body": (
                "Myoclonus, also known as jerks, can be caused by various factors, including:\n\n"
                "- Abrupt muscle contraction, in the case of positive myoclonus, or by sudden cessation of "
                "ongoing muscular activity, in the case of negative myoclonus (NM) [2]\n"
                "- Physiological, essential, epileptic, and symptomatic conditions, with most causes being "
                "symptomatic, such as posthypoxia, toxic-metabolic disorders, reactions to drugs, storage "
                "disease, and neurodegenerative disorders [3]\n"
                "- Neurodegenerative conditions, severe neurodegenerative conditions, and neuronal "
                "discharges [4]\n"
                "- Drug-induced myoclonus, caused by certain medications, such as levodopa, cyclic "
                "antidepressants, and bismuth salts [5]"
            ),
        },
        {
            "heading": "Classification of Myoclonus",
            "level": 2,
            "body": (
                "Myoclonus can be classified based on the underlying physiology, which is the most useful "
                "from the therapeutic viewpoint [2]. The classification schemes include:\n\n"
                "- Etiological classification, which is critical for developing a treatment strategy [6]\n"
                "- Physiological classification, which includes categories such as cortical, "
                "cortical-subcortical, subcortical-nonsegmental, segmental, and peripheral [6]\n"
                "- Clinical classification, which divides myoclonus into physiological, essential, "
                "epileptic, and symptomatic presentations [3]"
            ),
        },
        {
            "heading": "Treatment of Myoclonus",
            "level": 2,
            "body": (
                "Treatment of myoclonus depends on the underlying cause and classification, and may include:\n\n"
                "- Pharmacological therapy, which is largely based on the presumed site of origin of "
                "myoclonus [4]\n"
                "- Polytherapy, which may be required, particularly in severe cases of cortical "
                "myoclonus [2, 4]\n"
                "- Specific treatments, such as levetiracetam, valproic acid, and clonazepam, which are "
                "commonly used for cortical myoclonus [6]\n"
                "- Botulinum toxin injections, which may be used for focal and segmental myoclonus [2, 6]"
            ),
        },
    ],
    references=[
        {
            "kind": "guideline",
            "title": "Guideline Directed Topic Overview",
            "source": "Dr.Oracle Medical Advisory Board & Editors",
            "year": 2025,
        },
        {
            "kind": "research",
            "title": "Myoclonic disorders: a practical approach for diagnosis and treatment.",
            "source": "Therapeutic advances in neurological disorders",
            "year": 2011,
        },
        {
            "kind": "research",
            "title": "Myoclonus: current concepts and recent advances.",
            "source": "The Lancet. Neurology",
            "year": 2004,
        },
        {
            "kind": "research",
            "title": "Myoclonus.",
            "source": ("The Canadian journal of neurological sciences. Le journal canadien des sciences neurologiques"),
            "year": 2003,
        },
        # The reference page cites [5] (drug-induced myoclonus) but its list omits that entry.
        {
            "kind": "research",
            "title": "Drug-induced myoclonus.",
            "source": "Advances in neurology",
            "year": 1986,
        },
        {
            "kind": "research",
            "title": "Treatment of myoclonus.",
            "source": "Neurotherapeutics : the journal of the American Society for Experimental NeuroTherapeutics",
            "year": 2014,
        },
    ],
)


# The first revision the board saw: botulinum toxin overstated, corrected after round 1.
BOTULINUM_FIRST = "- Botulinum toxin injections, which may be used for all forms of myoclonus [2, 6]"
BOTULINUM_FIXED = "- Botulinum toxin injections, which may be used for focal and segmental myoclonus [2, 6]"
MYOCLONUS_FIRST = RevisionContent(
    title=MYOCLONUS.title,
    summary_patient=MYOCLONUS.summary_patient,
    summary_professional=MYOCLONUS.summary_professional,
    sections=[
        {**section, "body": section["body"].replace(BOTULINUM_FIXED, BOTULINUM_FIRST)} for section in MYOCLONUS.sections
    ],
    references=MYOCLONUS.references,
)


def _short(title: str, patient: str, professional: str, body: str, reference: dict) -> RevisionContent:
    """Content for the smaller demo articles: one guideline section citing one reference."""
    return RevisionContent(
        title=title,
        summary_patient=patient,
        summary_professional=professional,
        sections=[{"heading": "From the Guidelines", "body": body}],
        references=[{"kind": "guideline", **reference}],
    )


MIGRAINE = _short(
    "Can magnesium help prevent migraine?",
    "Magnesium may help some people have fewer migraines. Ask your doctor before starting it.",
    "Magnesium is listed among agents probably effective for episodic migraine prevention (level B).",
    "Guidelines rate magnesium as probably effective for preventing episodic migraine in adults [1].",
    {
        "title": "Evidence-based guideline update: NSAIDs and other complementary treatments for episodic "
        "migraine prevention in adults.",
        "source": "Neurology",
        "year": 2012,
    },
)
MURMUR = _short(
    "When is a heart murmur a concern?",
    "Many heart murmurs are harmless. A murmur with symptoms like chest pain or fainting needs a check-up.",
    "Echocardiography is indicated for murmurs with symptoms, diastolic or continuous murmurs, or loud "
    "systolic murmurs.",
    "An echocardiogram is recommended when a murmur comes with symptoms or suggests valve disease [1].",
    {
        "title": "2020 ACC/AHA Guideline for the Management of Patients With Valvular Heart Disease.",
        "source": "Circulation",
        "year": 2021,
    },
)
ATRIAL_FIBRILLATION = _short(
    "How does atrial fibrillation raise stroke risk?",
    "In atrial fibrillation the heart's upper chambers quiver, so blood can pool and clot; a clot can travel "
    "to the brain.",
    "Stroke risk in AF is estimated with CHA2DS2-VASc; oral anticoagulation is recommended above the threshold.",
    "Blood stasis in the left atrial appendage favours thrombus formation; anticoagulation lowers the "
    "risk of stroke [1].",
    {
        "title": "2023 ACC/AHA/ACCP/HRS Guideline for the Diagnosis and Management of Atrial Fibrillation.",
        "source": "Circulation",
        "year": 2024,
    },
)
IBUPROFEN = _short(
    "Is it safe to take ibuprofen with blood pressure medicine?",
    "Ibuprofen can raise blood pressure and make some blood pressure medicines work less well.",
    "NSAIDs blunt the effect of ACE inhibitors, ARBs and diuretics and raise blood pressure.",
    "NSAIDs can raise blood pressure and interfere with antihypertensive drugs [1].",
    {
        "title": "2017 ACC/AHA Guideline for the Prevention, Detection, Evaluation, and Management of High "
        "Blood Pressure in Adults.",
        "source": "Hypertension",
        "year": 2018,
    },
)
CAFFEINE = _short(
    "Does coffee cause epilepsy?",
    "Coffee does not cause epilepsy.",
    "No evidence supports caffeine as a cause of epilepsy.",
    "Epilepsy is defined by a lasting predisposition to unprovoked seizures [1].",
    {
        "title": "ILAE official report: a practical clinical definition of epilepsy.",
        "source": "Epilepsia",
        "year": 2014,
    },
)
STATINS = _short(
    "Do statins cause memory loss?",
    "Most people who take statins have no memory problems.",
    "Large trials have not shown cognitive harm from statins.",
    "Guidelines found no consistent evidence that statins impair memory [1].",
    {
        "title": "2018 AHA/ACC Guideline on the Management of Blood Cholesterol.",
        "source": "Circulation",
        "year": 2019,
    },
)
RESTLESS_LEGS = _short(
    "What is restless legs syndrome?",
    "Restless legs syndrome is an urge to move the legs, worse in the evening and eased by moving.",
    "RLS is diagnosed clinically; several drug classes are effective for moderate to severe symptoms.",
    "Guidelines support several treatments for moderate to severe primary restless legs syndrome [1].",
    {
        "title": "Practice guideline summary: Treatment of restless legs syndrome in adults.",
        "source": "Neurology",
        "year": 2016,
    },
)
RESTLESS_LEGS_UPDATE = RevisionContent(
    title=RESTLESS_LEGS.title,
    summary_patient=RESTLESS_LEGS.summary_patient + " Low iron can make it worse; a blood test can check.",
    summary_professional=RESTLESS_LEGS.summary_professional + " Check ferritin and supplement iron when low.",
    sections=[
        *RESTLESS_LEGS.sections,
        {
            "heading": "Iron",
            "body": "Iron supplementation is recommended for patients with low serum ferritin [1].",
        },
    ],
    references=RESTLESS_LEGS.references,
)


class Command(BaseCommand):
    help = "Load demo users, the Medical Advisory Board and an article in every workflow state (idempotent)."

    def add_arguments(self, parser):
        add_allow_production_argument(parser)

    def handle(self, *args, **options):
        refuse_production_unless_allowed(command="load_demo", options=options)
        self.specialties = {
            slug: Specialty.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in SPECIALTIES
        }
        self._groups()
        self.users = {demo.username: self._user(demo) for demo in USERS}
        self.members = {
            demo.username: self._board_member(demo, self.users[demo.username]) for demo in USERS if demo.credentials
        }
        self._public_profiles()
        self._checklists()
        plans = [
            (MYOCLONUS_SLUG, self._myoclonus),
            ("can-magnesium-help-prevent-migraine", self._draft),
            ("when-is-a-heart-murmur-a-concern", self._submitted),
            ("how-does-atrial-fibrillation-raise-stroke-risk", self._under_review),
            ("is-it-safe-to-take-ibuprofen-with-blood-pressure-medicine", self._changes_requested),
            ("does-coffee-cause-epilepsy", self._rejected),
            ("do-statins-cause-memory-loss", self._retracted),
            ("what-is-restless-legs-syndrome", self._revised),
        ]
        created, skipped = [], []
        for slug, build in plans:
            if Article.objects.filter(slug=slug).exists():
                skipped.append(slug)
                continue
            with transaction.atomic():
                article = build(slug)
            article.refresh_from_db()
            created.append(f"{slug} ({article.get_state_display().lower()})")
        self.stdout.write(f"Users: {', '.join(self.users)} (password {DEMO_PASSWORD!r}).")
        self.stdout.write(f"Articles created: {len(created)}; already there, skipped: {len(skipped)}.")
        for line in created:
            self.stdout.write(f"  + {line}")
        if settings.DEMO_TOTP:
            self._second_factors()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _second_factors(self) -> None:
        """Give the staff who must have a second factor an authenticator app, and print each secret (development)."""
        self.stdout.write("Second factors (authenticator app secrets; a code: oathtool --totp -b SECRET):")
        for username, user in self.users.items():
            if not second_factor_required(user):
                continue
            secret = identity_services.demo_totp_secret(user=user)
            self.stdout.write(f"  {username}: {secret}")

    # People

    def _groups(self) -> None:
        Group.objects.get_or_create(name=AUTHORS_GROUP)
        # Editors run the admin (is_staff) on the editorial models only (see reviewboard.roles); the
        # services still decide who may do what to an article.
        grant_editor_permissions(group_model=Group, permission_model=Permission)

    def _user(self, demo: DemoUser):
        user, created = get_user_model().objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@example.org",
                "is_staff": demo.is_staff,
                "is_superuser": demo.is_superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if demo.group:
            user.groups.add(Group.objects.get(name=demo.group))
        return user

    def _board_member(self, demo: DemoUser, user) -> BoardMember:
        member, _ = BoardMember.objects.get_or_create(user=user, defaults={"credentials": demo.credentials})
        member.specialties.add(self.specialties[demo.specialty])
        return member

    def _public_profiles(self) -> None:
        """What readers see of the people: members' profiles (fictional), verified by the editor; the byline."""
        for username, (affiliation, disclosure) in DEMO_PROFILES.items():
            member = self.members[username]
            if not member.affiliation:
                profiles.board_profile_update(
                    member=member, actor=self.users[username], affiliation=affiliation, disclosure=disclosure
                )
            if member.verified_at is None:
                profiles.board_member_verify(member=member, actor=self.users["editor"])
        profiles.byline_update(user=self.users["author"], actor=self.users["author"], credentials="MD, MPH")

    def _checklists(self) -> None:
        """Each specialty's review checklist, as an editor would define it in the admin."""
        for specialty in self.specialties.values():
            if not specialty.checklist_items.exists():
                for position, (item, required) in enumerate(CHECKLIST):
                    ChecklistItem.objects.create(specialty=specialty, text=item, required=required, position=position)

    def _answers(self, article: Article, decision: str) -> dict:
        """All yes; a request for changes says no to the doses, with a note."""
        answers = {}
        for item in checklist_items(specialty_id=article.specialty_id):
            answer, note = "yes", ""
            if decision != Decision.APPROVE and item.text.startswith("Doses"):
                answer, note = "no", "See my comments on the text."
            answers[item.pk] = {"answer": answer, "note": note}
        return answers

    # Workflow steps, each through the services

    def _create(self, slug: str, specialty: str, revision: RevisionContent) -> Article:
        return content.article_create(
            actor=self.users["author"], slug=slug, specialty=self.specialties[specialty], content=revision
        )

    def _submit(self, article: Article) -> Article:
        return services.article_submit(article=article, actor=self.users["author"])

    def _review(self, article: Article, member: str, decision: str, comments: str = "", confidential: str = ""):
        assignment = services.assignment_create(
            article=article, board_member=self.members[member], actor=self.users["editor"]
        )
        services.assignment_accept(assignment=assignment, actor=self.users[member])
        return self._decide(assignment, member, decision, comments, confidential)

    def _decide(self, assignment, member: str, decision: str, comments: str = "", confidential: str = ""):
        return services.review_submit(
            assignment=assignment,
            actor=self.users[member],
            decision=decision,
            comments_to_author=comments,
            confidential_comments=confidential,
            checklist=self._answers(assignment.revision.article, decision),
        )

    def _approve(self, article: Article, reviewers: list[str]) -> Article:
        """Have ``reviewers``, in order, approve until the approval policy is met."""
        for member in reviewers:
            self._review(article, member, Decision.APPROVE, comments="Accurate and well sourced.")
            article.refresh_from_db()
            if article.state == ArticleState.APPROVED:
                return article
        raise CommandError(
            f"{article.slug}: the approval policy (REVIEW_QUORUM={settings.REVIEW_QUORUM}) was not met by "
            f"{', '.join(reviewers)}."
        )

    # The articles

    def _myoclonus(self, slug: str) -> Article:
        """Round 1: dr.neuro comments on two passages and asks for changes; the author answers, corrects one
        passage and resubmits with a response letter; round 2: the moved thread is resolved and two approve."""
        author, editor, neuro = self.users["author"], self.users["editor"], self.users["dr.neuro"]
        article = self._submit(self._create(slug, "neurology", MYOCLONUS_FIRST))
        assignment = services.assignment_create(article=article, board_member=self.members["dr.neuro"], actor=editor)
        services.assignment_accept(assignment=assignment, actor=neuro)
        treatment = next(i for i, s in enumerate(MYOCLONUS_FIRST.sections) if BOTULINUM_FIRST in s["body"])
        botulinum = threads.thread_open(
            article=article,
            actor=neuro,
            field="section",
            index=treatment,
            paragraph=1,
            quote="which may be used for all forms of myoclonus",
            body="Botulinum toxin helps focal and segmental myoclonus, not all forms; please narrow this.",
        )
        sites = threads.thread_open(
            article=article,
            actor=neuro,
            field="section",
            index=treatment,
            paragraph=1,
            quote="which is largely based on the presumed site of origin",
            body="Consider naming the sites (cortical, subcortical, spinal, peripheral).",
        )
        threads.thread_open(
            article=article,
            actor=editor,
            field="section",
            index=treatment,
            paragraph=0,
            body="Editors: if dr.neuro approves the next revision, ask dr.neuro2 for the second review.",
            confidential=True,
        )
        self._decide(
            assignment,
            "dr.neuro",
            Decision.REQUEST_CHANGES,
            comments="Accurate overall; one overstatement on botulinum toxin, see my comment on the text.",
        )
        threads.thread_reply(thread=botulinum, actor=author, body="Corrected: focal and segmental only.")
        content.revision_create(
            article=article, actor=author, content=MYOCLONUS, change_note="Botulinum toxin: focal and segmental only."
        )
        article = services.article_submit(
            article=article,
            actor=author,
            response_letter=(
                "Thank you for the review. We narrowed the botulinum toxin statement to focal and segmental "
                "myoclonus, as asked; our answer to the other comment is below."
            ),
            # Posted in its thread with the resubmission, and listed with the letter.
            thread_replies=[
                {"thread": sites.pk, "body": "The professional summary names them; kept short here for readers."}
            ],
        )
        again = ReviewAssignment.objects.get(
            review_round__revision=article.submitted_revision, board_member__user=neuro
        )
        services.assignment_accept(assignment=again, actor=neuro)
        threads.thread_resolve(thread=sites, actor=neuro)
        threads.thread_resolve(thread=botulinum, actor=neuro)
        self._decide(again, "dr.neuro", Decision.APPROVE, comments="The correction is right. Approved.")
        return self._approve(article, ["dr.neuro2", "dr.cardio", "dr.pharma"])

    def _draft(self, slug: str) -> Article:
        return self._create(slug, "neurology", MIGRAINE)

    def _submitted(self, slug: str) -> Article:
        return self._submit(self._create(slug, "cardiology", MURMUR))

    def _under_review(self, slug: str) -> Article:
        article = self._submit(self._create(slug, "cardiology", ATRIAL_FIBRILLATION))
        assignment = services.assignment_create(
            article=article, board_member=self.members["dr.cardio"], actor=self.users["editor"]
        )
        services.assignment_accept(assignment=assignment, actor=self.users["dr.cardio"])
        return article

    def _changes_requested(self, slug: str) -> Article:
        article = self._submit(self._create(slug, "pharmacology", IBUPROFEN))
        self._review(
            article,
            "dr.pharma",
            Decision.REQUEST_CHANGES,
            comments="Name the drug classes affected and give the size of the blood pressure rise.",
            confidential="Sound otherwise; a short revision should do.",
        )
        return article

    def _rejected(self, slug: str) -> Article:
        article = self._submit(self._create(slug, "neurology", CAFFEINE))
        return services.article_reject(
            article=article,
            actor=self.users["editor"],
            reason="The question is answered by the epilepsy overview; no separate article is needed.",
        )

    def _retracted(self, slug: str) -> Article:
        article = self._approve(
            self._submit(self._create(slug, "cardiology", STATINS)), ["dr.cardio", "dr.pharma", "dr.neuro", "dr.neuro2"]
        )
        return services.article_retract(
            article=article,
            actor=self.users["editor"],
            reason="Superseded by newer trial data; withdrawn pending a full update.",
        )

    def _revised(self, slug: str) -> Article:
        article = self._approve(
            self._submit(self._create(slug, "neurology", RESTLESS_LEGS)),
            ["dr.neuro", "dr.neuro2", "dr.cardio", "dr.pharma"],
        )
        article = services.article_revise(article=article, actor=self.users["author"], reason="Add iron guidance.")
        content.revision_create(
            article=article,
            actor=self.users["author"],
            content=RESTLESS_LEGS_UPDATE,
            change_note="Add iron supplementation guidance",
        )
        content.change_note_write(
            article=article,
            actor=self.users["author"],
            text_for_readers="Adds guidance on iron supplementation for people with low ferritin.",
        )
        return article
