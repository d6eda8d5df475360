"""The English edition's hand-written demo stories, keyed as in `stories.STORIES`."""
# ruff: noqa: E501  (a paragraph is a line: the text reads and diffs as prose)

STORIES = {
    "prisoners-freed": {
        "headline": "Eleven political prisoners freed and taken to Lithuania",
        "lead": "Among them are a retired schoolteacher, two trade unionists and a student "
                "from Hrodna. Relatives learned of the release only when the bus reached the "
                "border.",
        "body": """<p>Eleven people recognised as political prisoners by Belarusian human rights groups were released early this morning and driven across the border into Lithuania, their relatives and the Viasna human rights centre told us.</p>
<p>The group crossed at the Medininkai checkpoint shortly after dawn. According to a relative who met them on the Lithuanian side, the prisoners were not told where they were being taken until the bus stopped at the last Belarusian post.</p>
<blockquote><p>“They woke us at four, gave us our own clothes back and said nothing else. I only understood we were free when I saw a Lithuanian flag,” one of the released men, a 58-year-old engineer from Barysaw, told our correspondent by phone.</p></blockquote>
<h2>Who was released</h2>
<p>The list, which we have seen, includes a retired schoolteacher from Mahilyow sentenced for comments online, two members of an independent trade union at a Minsk factory and a 22-year-old student from Hrodna who served almost three years of a five-year term. Most of them had asked for a pardon, their families said; at least two had not.</p>
<p>None of them was given a passport. Lithuanian officials said the group would receive temporary documents and medical checks and could apply for protection.</p>
<h2>More than a thousand still behind bars</h2>
<p>Human rights defenders welcomed the release but warned against reading it as a change of course. By their count more than a thousand people remain in prison on politically motivated charges, and new arrests continue every week.</p>
<p>“Every person who walks out is a victory for their family,” said a Viasna spokeswoman. “But the same week, the courts sent another twenty people to prison.”</p>
<p>We will update this story as more of the released prisoners speak to us.</p>""",
    },
    "border-queues": {
        "headline": "More than a thousand lorries wait at the Lithuanian border",
        "lead": "Drivers report waits of up to four days at the Kamenny Loh crossing.",
        "body": """<p>More than 1,100 lorries were queuing to leave Belarus for Lithuania on Thursday morning, according to the border committee's own online queue. Most were waiting at the Kamenny Loh crossing, where drivers said they had spent up to four days in line.</p>
<p>Hauliers blame tighter checks on both sides and the closure of two crossings last year. Lithuanian customs said it was processing about 40 lorries an hour and had no plans to add staff before the holidays.</p>""",
    },
    "snow-live": {
        "headline": "Live: heavy snow brings Minsk traffic to a standstill",
        "lead": "Up to 25 centimetres of snow fell overnight. Buses are late, the ring road is "
                "jammed and schools in the region have cancelled classes. We follow the day.",
        "update_note": "Live: we add news as it comes in.",
        "body": """<p><em>This story is updated through the day; the newest entries are at the top.</em></p>
<h2>[[+285]]</h2>
<p>The city transport company says all trolleybus routes are running again, though with intervals of up to half an hour. The metro is working normally and is very crowded.</p>
<h2>[[+210]]</h2>
<p>Forecasters have extended the orange weather warning until tomorrow morning. Another 10 centimetres of snow and gusts of up to 18 metres per second are expected after dark.</p>
<h2>[[+140]]</h2>
<p>Readers send us photos of cars stuck on the hill near Kurasoushchyna. Traffic police ask drivers without winter tyres to stay off the roads and report 46 minor collisions since midnight.</p>
<h2>[[+70]]</h2>
<p>Schools in three districts of the Minsk region have cancelled classes for the day. In the city itself, schools are open, but parents may keep children at home, the education department says.</p>
<h2>[[+0]]</h2>
<p>Up to 25 centimetres of snow fell overnight in Minsk, the most in a single night this winter. The ring road is jammed in both directions, and several bus routes are more than an hour behind schedule.</p>""",
    },
    "eu-sanctions": {
        "headline": "EU extends sanctions on Belarus for another year",
        "lead": "The measures, first adopted after the 2020 election, now cover more than 260 "
                "people and 40 companies.",
        "body": """<p>European Union member states on Tuesday agreed to extend their sanctions on Belarus until the end of February next year. The decision was taken without debate, as part of a package of foreign policy measures.</p>
<p>The sanctions freeze the assets of, and ban travel by, more than 260 people, among them judges, prosecutors and officials the EU holds responsible for repression since the 2020 presidential election. About 40 companies are also on the list, including producers of potash and petroleum products.</p>
<p>Diplomats said new names could be added in spring. Several member states have asked for measures against those who, they say, help Russia get around its own sanctions through Belarus.</p>
<blockquote><p>“Sanctions are not an end in themselves. They stay as long as the reasons for them stay,” an EU official said.</p></blockquote>
<p>The Belarusian foreign ministry called the decision “a continuation of a failed policy” and said it would answer “in kind”.</p>""",
    },
    "skier-bronze": {
        "headline": "Belarusian-born skier wins World Cup sprint bronze",
        "lead": "Hanna Lis, who now competes for Poland, finished third in the classic sprint.",
        "body": """<p>Hanna Lis, a cross-country skier born in Navapolatsk who has represented Poland since last season, took bronze in the classic sprint at the World Cup stage in Ruka, Finland, on Saturday. It is her first World Cup podium.</p>
<p>“I learned to ski on the hills behind our block of flats. My first coach still watches every race,” Lis, 24, said after the final. She moved to Poland with her family four years ago and received Polish citizenship this spring.</p>""",
    },
    "hills-photo-report": {
        "headline": "Evening on the hills: a Belarusian hiking club's autumn walk near Vilnius",
        "lead": "Forty people, a guitar and a thermos of herbal tea: how Belarusians in "
                "Lithuania spend their Sundays. A photo report.",
        "body": """<p>The club began three years ago as a chat of a dozen people who missed walking in the countryside. Today it has more than 400 members, and every other Sunday a group sets off from the last stop of a Vilnius bus route into the hills.</p>
<p>This time forty people walked 14 kilometres, lit a fire at sunset and sang until it was too dark to read the words. The youngest walker was four, the oldest seventy-one.</p>
<p>“Here nobody asks you why you left. You just walk, and talk, and for a few hours it feels like home,” says Ales, one of the organisers.</p>""",
    },
    "food-prices": {
        "headline": "Bread, milk and vegetables: what has become dearer since summer",
        "lead": "We compared prices in three supermarket chains in Minsk and Homel. A basket "
                "of twelve basic foods costs 14% more than in June.",
        "update_note": "Correction: the rise in milk prices is 9%, not 19% as first reported.",
        "body": """<p>A basket of twelve basic foods cost 14% more in November than in June, according to our comparison of prices in three supermarket chains in Minsk and Homel. Official statistics put food inflation over the same period at just over 6%.</p>
<p>The biggest increases were for vegetables and dairy products:</p>
<ul>
<li>cabbage: up 48%;</li>
<li>potatoes: up 31%;</li>
<li>butter: up 17%;</li>
<li>milk: up 9%;</li>
<li>rye bread: up 8%.</li>
</ul>
<p>Shop staff say the state's price controls mean that some cheaper products disappear from the shelves for days at a time. “The controlled price is on the label, but the product is not on the shelf,” a cashier in Homel told us.</p>
<p>Economists point to the weaker rouble and higher costs for producers, who must buy imported feed and packaging.</p>
<p><em>Correction: an earlier version of this article said that milk had become 19% dearer. The correct figure is 9%. We apologise for the error.</em></p>""",
    },
    "teacher-sentenced": {
        "headline": "Homel teacher sentenced to three years over comments in a chat",
        "lead": "Tatsiana Lahvinovich, a history teacher with 26 years of experience, was "
                "convicted of “insulting a representative of the authorities”.",
        "body": """<p>A court in Homel has sentenced Tatsiana Lahvinovich, 54, a history teacher at a secondary school, to three years in a general-regime penal colony. She was found guilty of insulting a representative of the authorities and of “inciting hostility” over several comments she wrote in a neighbourhood chat in 2020.</p>
<p>The trial was held behind closed doors. Her former pupils, who came to the courthouse, were not allowed in.</p>
<p>According to human rights defenders, Lahvinovich was detained in September at her school, in front of her colleagues. She did not plead guilty. The Viasna human rights centre has recognised her as a political prisoner.</p>
<blockquote><p>“She taught children for twenty-six years to think for themselves. That is what she is being punished for,” says a former colleague who asked not to be named.</p></blockquote>
<p>At least 40 teachers are currently in prison on politically motivated charges, according to human rights groups.</p>""",
    },
    "film-prize": {
        "headline": "Film about a village teacher wins the main prize at a Warsaw festival",
        "lead": "“The Last Bell”, shot in secret in the Vitebsk region, is the first "
                "Belarusian film to win the festival's grand prix.",
        "body": """<p>“The Last Bell”, a feature film by the Belarusian director Kiryl Zhuk, has won the grand prix of an independent film festival in Warsaw. The film follows a teacher in a dying village school during its final year before closure.</p>
<p>Most of the film was shot in secret in the Vitebsk region with non-professional actors, many of them villagers playing themselves. Post-production was finished in Poland.</p>
<blockquote><p>“We filmed as if every day could be the last one, because it could,” Zhuk said at the ceremony. “This prize belongs to the people who were not afraid to appear on screen.”</p></blockquote>
<p>The jury called the film “a quiet and precise portrait of a country that keeps its dignity”. The filmmakers hope to show it online for viewers in Belarus, where it cannot be screened.</p>""",
    },
    "insulin-shortage": {
        "headline": "Pharmacies in Vitebsk run short of insulin",
        "lead": "Patients say they are being offered replacements they have never used.",
        "body": """<p>Several pharmacies in Vitebsk have had no long-acting insulin of the usual brands for more than two weeks, patients have told us. They say they are offered a domestic substitute instead, and that switching without a doctor's supervision is risky.</p>
<p>The regional health department said deliveries were “delayed for logistical reasons” and promised that supplies would return to normal by the end of the month.</p>""",
    },
    "it-jobs": {
        "headline": "Survey: IT companies moved another 3,000 jobs abroad this year",
        "lead": "Most went to Poland, Lithuania and Georgia.",
        "body": """<p>Belarusian technology companies moved about 3,000 jobs out of the country this year, according to a survey of 120 firms by an industry association based in Warsaw. Poland took the largest share, followed by Lithuania and Georgia.</p>
<p>Respondents named security risks, banking restrictions and difficulty hiring as the main reasons. Only one in ten companies said it planned to expand its team in Belarus next year.</p>
<p>The survey's authors note that the pace has slowed compared with 2021 and 2022, when tens of thousands of IT specialists left.</p>""",
    },
    "book-fair": {
        "headline": "Publishers in exile bring forty new Belarusian books to the Vilnius fair",
        "lead": "Poetry, memoirs of political prisoners and children's books sold out on the "
                "first day.",
        "body": """<p>Eight Belarusian publishing houses that now work from Lithuania and Poland presented about forty new titles at the Vilnius book fair this weekend. At their shared stand, queues formed before the doors opened.</p>
<p>Among the most asked-for books were:</p>
<ul>
<li>a collection of letters written from prison by a Hrodna journalist;</li>
<li>a new translation of Orwell's “Animal Farm” into Belarusian;</li>
<li>a picture book about the bison of the Białowieża forest;</li>
<li>a first collection of poems by a young poet from Pinsk.</li>
</ul>
<p>Publishers say printing in exile costs twice as much as it did at home and that print runs rarely exceed 500 copies. Most of their readers now buy electronic editions.</p>
<p>“A book in Belarusian is a small act of resistance. People buy two: one for themselves and one to send to someone,” says one of the publishers.</p>""",
    },
    "second-crossing": {
        "headline": "Poland reopens a second border crossing for cars",
        "lead": "The Bobrowniki crossing will handle cars and buses from Monday.",
        "body": """<p>Poland will reopen the Bobrowniki border crossing with Belarus to cars and buses from Monday, the Polish interior ministry said. Until now, Terespol near Brest has been the only crossing open to passenger traffic.</p>
<p>Waits at Terespol have reached twelve hours in recent weeks. Lorries will still not be allowed through Bobrowniki.</p>""",
    },
    "lawyer-disbarred": {
        "headline": "Lawyer who defended a journalist loses her licence",
        "lead": "The justice ministry's qualification commission gave no reasons.",
        "body": """<p>The qualification commission of the justice ministry has revoked the licence of Minsk lawyer Volha Kavaleuskaya, who defended a regional journalist in a trial last year. She learned of the decision from a letter and was given no reasons.</p>
<p>Since 2020, more than 150 lawyers in Belarus have lost their licences or left the profession, according to the Right to Defence initiative. Several are themselves in prison.</p>""",
    },
    "doctors-in-bialystok": {
        "headline": "“We started from zero at forty”: a family of doctors two years after leaving",
        "lead": "Siarhei is an anaesthetist, Alena a paediatrician. In Białystok they had to "
                "sit their exams again, learn Polish medical terms and explain to their "
                "daughter why her grandmother stayed behind.",
        "body": """<p>Siarhei and Alena, both 42, left Minsk with their ten-year-old daughter and two suitcases in the autumn of 2022. We agreed to use only their first names: Alena's mother still lives in Belarus.</p>
<p>Two years later they rent a three-room flat on the edge of Białystok, both work in their profession again, and their daughter speaks Polish better than they do.</p>
<h2>Why they left</h2>
<p>Siarhei had signed an open letter by medical workers in 2020. For two years nothing happened. Then a colleague was detained, and their names came up during questioning.</p>
<blockquote><p>“We didn't wait for a knock at the door. We bought tickets for the next week and told our neighbours we were going on holiday,” Alena says.</p></blockquote>
<h2>Exams, again</h2>
<p>To work as doctors in Poland, they had to have their diplomas recognised, pass a language exam and then a medical exam, in Polish. It took Siarhei fourteen months. Until then he worked night shifts as a care assistant in a hospice.</p>
<p>Alena found it harder: paediatrics has its own vocabulary, and her first language exam went badly. She passed on her second attempt and now works in a children's clinic.</p>
<p>“The hardest part was not the exams. It was being a beginner again after twenty years in the job,” she says.</p>
<h2>What stayed behind</h2>
<p>Their flat in Minsk is empty; they cannot sell it without going back. Alena's mother, who is 74, refused to leave her village near Slutsk. They talk on video every evening.</p>
<p>Their daughter, Nastsia, goes to a Polish school and to a Saturday school where Belarusian children learn their language and history. She says she wants to be a doctor too, “but in Belarus, when it's possible”.</p>
<p>Do they plan to go back? Siarhei pauses. “We plan to be able to,” he says.</p>""",
    },
    "school-language": {
        "headline": "Mahilyow region schools cut hours of Belarusian",
        "lead": "From January, pupils in years 5 to 9 will have one lesson of Belarusian "
                "language a week instead of two in several district schools.",
        "body": """<p>Several schools in the Mahilyow region will cut Belarusian language lessons for years 5 to 9 from two to one a week from January, parents have told us. The freed hours will go to Russian and mathematics.</p>
<p>A letter from a district education department, which we have seen, describes the change as “optimisation of the curriculum in line with pupils' needs”. The regional education department did not answer our questions.</p>
<p>Only about one in ten schoolchildren in Belarus is taught in Belarusian, and in the cities almost none. Linguists warn that with one lesson a week, children will not learn to write the language correctly.</p>
<blockquote><p>“My son already speaks Belarusian only in class. Now he will speak it forty-five minutes a week,” says a mother from Babruisk.</p></blockquote>""",
    },
    "wages-pensions": {
        "headline": "Wages grow, pensions fall behind",
        "lead": "The average wage passed 2,300 roubles, official statistics say. The average "
                "pension is less than a third of that.",
        "body": """<p>The average monthly wage in Belarus reached 2,310 roubles in October, according to the national statistics committee, 11% more than a year earlier after inflation. The average pension, meanwhile, is about 720 roubles.</p>
<p>The gap between regions remains large:</p>
<ul>
<li>Minsk: 3,150 roubles;</li>
<li>Minsk region: 2,290 roubles;</li>
<li>Homel region: 1,940 roubles;</li>
<li>Vitebsk region: 1,880 roubles.</li>
</ul>
<p>Economists say wages are rising mainly because of the shortage of workers after emigration and the departure of men to work in Russia. Employers have to pay more to keep staff.</p>
<p>Pensions are indexed once or twice a year and lag behind prices, especially for food and medicines, which make up most of pensioners' spending.</p>""",
    },
    "generators-ukraine": {
        "headline": "Belarusian volunteers send forty generators to Kharkiv",
        "lead": "The money was collected in three weeks, mostly in small donations.",
        "body": """<p>A group of Belarusian volunteers in Poland has sent forty power generators to Kharkiv, where attacks on the energy system leave homes without electricity for hours every day. The generators will go to schools, a maternity ward and several blocks of flats.</p>
<p>The volunteers raised about 60,000 euros in three weeks. Most donations were under 20 euros, the organisers say.</p>
<p>“Many of us remember how Ukrainians supported us in 2020. This is the least we can do,” said one of the organisers, who arrived in Kharkiv with the convoy.</p>""",
    },
    "band-concert": {
        "headline": "A band banned at home plays to a full hall in Warsaw",
        "lead": "Two thousand people sang along with every song, in Belarusian.",
        "body": """<p>The rock band Pavietra, whose songs were declared “extremist materials” in Belarus last year, played to a sold-out hall of 2,000 in Warsaw on Saturday. It was the last concert of a tour of eleven European cities.</p>
<p>The band left Belarus in 2021. Listening to their music or sharing it online can lead to a fine or arrest at home, human rights defenders warn.</p>
<p>The concert ended with a song the band has never recorded: they said they would release it “on the day it can be played in Minsk”.</p>""",
    },
    "site-blocked": {
        "headline": "Our website blocked again: how to keep reading us",
        "lead": "Readers in Belarus can use the mirror, the app, the newsletter or Telegram.",
        "body": """<p>The information ministry has once again ordered Belarusian providers to block our website. This is the fourth time since 2021.</p>
<p>Readers in Belarus can still reach us:</p>
<ol>
<li>through the mirror site, whose address we publish in our Telegram channel;</li>
<li>through the Tor browser, at our onion address;</li>
<li>by subscribing to the email newsletter, which brings the day's main stories;</li>
<li>with a VPN.</li>
</ol>
<p>Please be careful: subscribing to media declared “extremist” can be punished in Belarus. Do not keep our pages open on devices that may be checked.</p>""",
    },
    "buckwheat-opinion": {
        "headline": "What a kilo of buckwheat says about the economy",
        "lead": "Official inflation is low. Anyone who buys groceries knows a different "
                "figure. Both can be true, and that is the problem.",
        "body": """<p>Every autumn my mother sends me a photo of a price tag. This year it was buckwheat: 4 roubles 60 kopecks a kilo, almost a third more than a year ago. Official inflation over the same period was about 6%.</p>
<p>Is the statistics committee lying? Not necessarily. Inflation is an average over hundreds of goods and services, weighted by what an “average” household buys. Rents, utilities and transport are controlled by the state and barely move. Those items pull the average down.</p>
<p>But a pensioner in a district town does not live on the average. She spends half of her money on food and another big share on medicines. For her, prices have risen two or three times faster than the official figure.</p>
<h2>Controls that empty the shelves</h2>
<p>Price controls make the official numbers look better and the shops look worse. When a producer is not allowed to raise the price of a product, he makes less of it, or changes the packaging, or sells it abroad. The controlled product disappears, and a “new” one appears next to it, twenty per cent dearer.</p>
<p>This is not a Belarusian invention. Every economy that has tried to fight prices by decree has seen the same thing, from the Soviet Union to Venezuela.</p>
<h2>What would help</h2>
<p>An honest conversation would begin by admitting that the rouble is weak because the economy depends on one market, Russia, and on one customer for its industry. Wages rise because workers leave; that is not prosperity, it is a shortage.</p>
<p>Until then, the best inflation index in Belarus will remain the one mothers send their children in messengers: a photo of a price tag, and a question mark.</p>""",
    },
    "letters-opinion": {
        "headline": "Writing to a political prisoner: what to say and what to avoid",
        "lead": "A letter is often the only news from outside a prisoner receives. A few rules "
                "make sure it arrives.",
        "body": """<p>For many political prisoners, letters are the only link with the world outside. Many of them never arrive: censors in pre-trial prisons and colonies hold back anything they consider suspicious. Families and people who have been released share what helps.</p>
<h2>Do</h2>
<ul>
<li>write in Russian or Belarusian, by hand or printed, in clear letters;</li>
<li>tell about everyday things: the weather, books, films, your garden, your pets;</li>
<li>send postcards and photos of nature, cities, animals;</li>
<li>write regularly, even briefly: a short letter every week means more than a long one a year.</li>
</ul>
<h2>Avoid</h2>
<ul>
<li>politics, news about the case, the names of other prisoners;</li>
<li>symbols, colours and words that a censor may read as political;</li>
<li>promises you cannot keep.</li>
</ul>
<p>“I received about three hundred letters, and I remember every one. A letter from a stranger about her cat helped me through a month in solitary,” a woman released last year told us.</p>
<p>Addresses of prisons and lists of people who would be glad of a letter are published by human rights organisations.</p>""",
    },
    "hrodna-old-town": {
        "headline": "Hrodna residents try to save 19th-century houses from demolition",
        "lead": "The city wants to build a car park on the site of three wooden houses near "
                "the old market.",
        "body": """<p>Residents of Hrodna have collected more than 1,800 signatures against the demolition of three wooden houses near the old market square. The city executive committee plans to replace them with a multi-storey car park.</p>
<p>The houses, built between 1860 and 1890, are not on the list of protected buildings. Local historians say they are among the last examples of the wooden townhouses that once lined the street.</p>
<blockquote><p>“Hrodna is one of the few Belarusian cities that kept its old centre through the war. We are losing it now, house by house, with no war at all,” says a local historian.</p></blockquote>
<p>The city authorities say the houses are in emergency condition and that restoring them would cost more than building new ones. Residents ask for an independent survey. A public hearing is due at the end of the month.</p>""",
    },
    "brest-half-marathon": {
        "headline": "Three thousand runners take part in the Brest half marathon",
        "lead": "The winner ran the 21 kilometres in 1 hour 6 minutes.",
        "body": """<p>About 3,000 runners from Belarus and Russia took part in the autumn half marathon in Brest on Sunday, which started and finished near the fortress. The men's race was won by Mikalai Harbuz from Pinsk in 1:06:12, and the women's by Darya Shaleva from Brest in 1:17:40.</p>
<p>The organisers said there were fewer foreign runners than before 2020, when the race drew many participants from Poland. The youngest finisher was 16, the oldest 79.</p>""",
    },
    "prisoners-explainer": {
        "headline": "Explainer: who are Belarus's political prisoners?",
        "lead": "More than a thousand people are in prison for political reasons, human "
                "rights groups say. Who are they, and how does someone become one?",
        "body": """<p>Belarusian human rights organisations keep a list of people they consider political prisoners. It has not fallen below a thousand names for more than three years. Here is how the list works and who is on it.</p>
<h2>How someone is recognised</h2>
<p>Human rights defenders follow international guidelines: a person is a political prisoner if they were deprived of liberty for exercising their basic rights, such as freedom of speech or assembly, or if the case against them was clearly fabricated or the punishment grossly out of proportion.</p>
<h2>Who is on the list</h2>
<ul>
<li>people who took part in the 2020 protests, often identified years later from photos and videos;</li>
<li>people convicted over comments, reposts or donations;</li>
<li>journalists, lawyers and members of independent trade unions;</li>
<li>opposition politicians and former presidential candidates.</li>
</ul>
<p>Most are serving sentences of between two and six years; some have been given more than ten. Several prisoners have died in custody since 2020.</p>
<h2>Why the number does not fall</h2>
<p>Releases and pardons do happen, but new convictions keep pace with them. Human rights groups record dozens of politically motivated convictions every month, many of them in closed trials.</p>
<p>Readers who want to help can write letters, support families through aid organisations or, if they live abroad, raise individual cases with their own governments.</p>""",
    },
}
