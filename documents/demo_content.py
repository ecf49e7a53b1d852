"""The example family's words (documents.demo builds it): a health-centre practice developed
in a small municipality, adopted and adapted by its neighbour, and by a third from there.

Data only, in Finnish, the language the people who develop these services write in. Each
member's content is the model as it stood at a moment; documents.demo writes each stage as
an edit of the one before, so history, versions and forks are real.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from documents.labels import PERSPECTIVES, TOPICS
from documents.workshop_doc import ContentData

ROOT_TITLE: Final = "Hoidon tarpeen arviointi ja takaisinsoitto terveysasemalla"
ROOT_FIELDS: Final = {
    "title": ROOT_TITLE,
    "organisation": "Pielaveden terveysasema",
    "description": "Esimerkki: terveysaseman puhelinpalvelu, jossa hoitaja arvioi hoidon "
    "tarpeen ja soittaa takaisin sovittuna aikana.",
    "visibility": "public",
    "place": "Pielaveden terveysasema",
    "municipality": "Pielavesi, Pohjois-Savon hyvinvointialue",
    "funder": "Pohjois-Savon hyvinvointialue",
    "programme": "Tulevaisuuden sosiaali- ja terveyskeskus",
}

_MATRIX: Final[dict[str, dict[str, str]]] = {
    "client": {
        "actors": "Asukas ja hänen omaisensa; usein iäkäs, joka soittaa itse tai jonka puolesta "
        "omainen soittaa.",
        "tasks": "Asukas jättää soittopyynnön ja kertoo lyhyesti asiansa; hän on tavoitettavissa "
        "luvattuna aikana.",
        "knowledge": "Asukas tietää yhden numeron ja sen, milloin hoitaja soittaa takaisin.",
        "laws": "Oikeus päästä hoidon tarpeen arvioon viimeistään kolmantena arkipäivänä "
        "yhteydenotosta.",
        "principles": "Kukaan ei jää jonoon tietämättä, milloin asia etenee.",
        "finances": "Asukkaalle palvelu on maksuton; turhat käynnit ja matkat vähenevät.",
    },
    "professional": {
        "actors": "Sairaanhoitajat ja terveydenhoitajat, lääkäri konsultoitavana, "
        "ajanvarauksen sihteeri.",
        "tasks": "Hoitaja arvioi hoidon tarpeen puhelimessa, hoitaa itse tai varaa ajan "
        "oikealle ammattilaiselle.",
        "knowledge": "Yhteinen arviointiohje (ABCDE ja kiireellisyysluokat) ja kirjaamiskäytäntö.",
        "laws": "Terveydenhuoltolaki ja potilasasiakirja-asetus: arvio kirjataan aina.",
        "principles": "Sama asia hoidetaan yhdellä yhteydenotolla, jos se on turvallista.",
        "finances": "Hoitajan työaika siirtyy jonon purkamisesta suunniteltuihin "
        "takaisinsoittoihin.",
    },
    "organisational": {
        "actors": "Terveysaseman osastonhoitaja, vastaava lääkäri, hyvinvointialueen ICT-palvelut.",
        "tasks": "Soittopyyntöjen vuorot suunnitellaan viikoittain kysynnän mukaan.",
        "knowledge": "Takaisinsoittojärjestelmä ja sen raportit kysynnästä tunneittain.",
        "laws": "Hoitotakuun seuranta ja raportointi hyvinvointialueelle.",
        "principles": "Puhelinpalvelu on osa vastaanottoa, ei erillinen palvelu.",
        "finances": "Järjestelmän lisenssi hyvinvointialueen sopimuksella; ei lisähenkilöstöä.",
    },
    "political_administrative": {
        "actors": "Hyvinvointialueen perusterveydenhuollon johto ja kunnan "
        "hyvinvointikoordinaattori.",
        "tasks": "Johto seuraa hoitotakuun toteutumista ja päättää mallin levittämisestä.",
        "knowledge": "Tiedolla johtaminen: jonotusajat ja yhteydenottojen määrät kuukausittain.",
        "laws": "Sosiaali- ja terveydenhuollon järjestämislaki ja hoitotakuu.",
        "principles": "Lähipalvelu säilyy pienessäkin kunnassa.",
        "finances": "Rahoitus hyvinvointialueen talousarviosta; hanketuki kehittämisvaiheeseen.",
    },
}

_COMPONENTS: Final = [
    (
        "c1a7e5d2b9f40001",
        "Yksi numero ja soittopyyntö",
        "Asukas soittaa yhteen numeroon ja jättää soittopyynnön; järjestelmä kertoo heti, "
        "milloin hoitaja soittaa.",
    ),
    (
        "c1a7e5d2b9f40002",
        "Hoitajan arvio puhelimessa",
        "Hoitaja arvioi hoidon tarpeen yhteisen ohjeen mukaan ja kirjaa arvion.",
    ),
    (
        "c1a7e5d2b9f40003",
        "Oikea ammattilainen kerralla",
        "Hoitaja hoitaa asian itse, antaa kotihoito-ohjeet tai varaa ajan lääkärille, "
        "fysioterapeutille tai mielenterveyshoitajalle.",
    ),
]

FIRST_DRAFT: Final[dict[str, Any]] = {
    "path": {
        "starting_point": "Puhelinjonot olivat aamuisin yli tunnin, ja moni soitti useita "
        "kertoja. Hyvinvointialueen strategiassa tavoitteena on hoitoon pääsy viikossa.",
        "target_group": "Kaikki terveysasemalle soittavat; erityisesti iäkkäät, joille jonossa "
        "odottaminen on vaikeaa.",
        "needs": "Asukkaat haluavat tietää, milloin asia etenee. Hoitajat haluavat tehdä "
        "arvion rauhassa eikä jonon paineessa.",
        "co_developers": "Kaksi hoitajaa, sihteeri, lääkäri, kaksi asukasta vanhusneuvostosta "
        "ja osastonhoitaja kokoontuivat Innopajaan kolme kertaa.",
        "goals": "Jokainen soittaja saa takaisinsoittoajan heti, ja kiireettömän asian arvio "
        "tehdään samana päivänä.",
    },
    "matrix": _MATRIX,
    "evaluation": {
        "trial": "",
        "evaluation_questions": "",
        "evaluation_criteria": "",
        "results": "",
        "adoption_decision": "",
    },
    "model": {
        "name": "Hoitaja soittaa takaisin",
        "short_description": "Terveysaseman puhelinpalvelu, jossa asukas jättää soittopyynnön "
        "ja hoitaja arvioi hoidon tarpeen sovittuna aikana.",
        "purpose": "Turvata hoidon tarpeen arvio samana päivänä ilman puhelinjonoa.",
        "core_idea": "Jono muuttuu lupaukseksi: soittaja tietää heti, milloin hänelle soitetaan.",
        "operating_environment": "Pieni terveysasema, jossa on viisi hoitajaa ja kaksi "
        "lääkäriä; paljon iäkkäitä asukkaita ja pitkät välimatkat.",
        "conditions": "Takaisinsoittojärjestelmä, yhteinen arviointiohje ja vuorosuunnittelu, "
        "jossa soittoajat ovat suojattuja.",
    },
    "components": [
        {"id": key, "title": title, "description": description}
        for key, title, description in _COMPONENTS
    ],
    "ideas": [],
}


def _with(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` with some sections' entries replaced, and the components given in full."""
    result = copy.deepcopy(base)
    for section, entries in changes.items():
        if section == "components":
            result["components"] = [
                {"id": key, "title": title, "description": description}
                for key, title, description in entries
            ]
        elif section == "matrix":
            for perspective, topics in entries.items():
                result["matrix"][perspective].update(topics)
        else:
            result[section].update(entries)
    return result


AFTER_TRIAL: Final = _with(
    FIRST_DRAFT,
    {
        "model": {
            "core_idea": "Jono muuttuu lupaukseksi: soittaja tietää heti, milloin hänelle "
            "soitetaan, ja hoitaja ehtii arvioida asian kunnolla.",
        },
        "components": [
            *_COMPONENTS,
            (
                "c1a7e5d2b9f40004",
                "Viikoittainen vuorosuunnittelu",
                "Soittoajat suunnitellaan edellisten viikkojen kysynnän mukaan; aamupäivään "
                "varataan eniten hoitajia.",
            ),
        ],
        "evaluation": {
            "trial": "Kokeilu 1.9.-30.11. kaikilla aikuisvastaanoton hoitajilla.",
            "evaluation_questions": "Pääseekö asukas arvioon samana päivänä? Kokevatko "
            "asukkaat ja hoitajat palvelun sujuvaksi?",
            "evaluation_criteria": "90 % soittopyynnöistä hoidetaan samana päivänä; "
            "asiakaspalautteen keskiarvo vähintään 4/5.",
            "results": "94 % soittopyynnöistä hoidettiin samana päivänä; palautteen keskiarvo "
            "4,4. Uusintasoitot vähenivät kolmannekseen.",
            "adoption_decision": "Vakiinnutetaan 1.1. alkaen; malli tarjotaan naapurikunnille.",
        },
    },
)

COMMENTS: Final = [
    # (cell, quoted words, author, comment, reply)
    (
        "matrix/client.knowledge",
        "yhden numeron",
        "Vanhusneuvoston edustaja",
        "Numero pitää painaa myös kotihoidon asiakkaille jaettavaan kalenteriin.",
        "Lisätään kalenteriin ja terveysaseman ovelle.",
    ),
    (
        "model/purpose",
        "samana päivänä",
        "Vastaava lääkäri",
        "Koskeeko tämä myös kiireellisiä asioita? Ne ohjataan edelleen päivystykseen.",
        None,
    ),
]

FIRST_VERSION: Final = "Ensimmäinen luonnos Innopajan jälkeen"
SECOND_VERSION: Final = "Kokeilun tulokset ja päätös vakiinnuttaa"

ADOPTIONS: Final[list[dict[str, Any]]] = [
    {
        "organisation": "Keiteleen terveysasema",
        "title": "Hoidon tarpeen arviointi ja takaisinsoitto (Keitele)",
        "reason": "Meillä on samat aamujen puhelinruuhkat, ja lääkäri on paikalla vain kolmena "
        "päivänä viikossa.",
        "by": "Keiteleen osastonhoitaja",
        "fields": {
            "place": "Keiteleen terveysasema",
            "municipality": "Keitele, Pohjois-Savon hyvinvointialue",
        },
        "content": {
            "model": {
                "operating_environment": "Hyvin pieni terveysasema: kolme hoitajaa, lääkäri "
                "paikalla kolmena päivänä viikossa, muina päivinä etäyhteydellä.",
                "conditions": "Takaisinsoittojärjestelmä, yhteinen arviointiohje ja "
                "etävastaanoton laitteet; lääkärin etäkonsultaatio joka arkipäivä.",
            },
            "matrix": {
                "professional": {
                    "knowledge": "Yhteinen arviointiohje, kirjaamiskäytäntö ja "
                    "videovastaanoton perehdytys kaikille hoitajille.",
                },
                "organisational": {
                    "tasks": "Vuorot suunnitellaan yhdessä Pielaveden kanssa; "
                    "ruuhkapäivinä Pielavesi ottaa osan soitoista.",
                },
            },
            "components": [
                *_COMPONENTS[:2],
                (
                    "c1a7e5d2b9f40003",
                    "Oikea ammattilainen kerralla",
                    "Hoitaja hoitaa asian itse tai varaa ajan; lääkärin poissaolopäivinä "
                    "lääkäri tapaa asukkaan videoyhteydellä.",
                ),
                (
                    "d3e1e7e1e0000005",
                    "Etävastaanotto videoyhteydellä",
                    "Asukas voi valita videovastaanoton; omainen tai kotihoito auttaa "
                    "yhteyden avaamisessa.",
                ),
            ],
            "evaluation": {
                "trial": "Kokeilu 1.2.-30.4. kaikilla hoitajilla.",
                "evaluation_questions": "Toimiiko malli, kun lääkäri on paikalla vain osan "
                "viikosta? Käyttävätkö iäkkäät videovastaanottoa?",
                "evaluation_criteria": "85 % soittopyynnöistä samana päivänä; vähintään "
                "20 videovastaanottoa kuukaudessa.",
                "results": "88 % soittopyynnöistä samana päivänä. Videovastaanottoja 12 "
                "kuukaudessa: iäkkäät halusivat mieluummin puhelun.",
                "adoption_decision": "Vakiinnutetaan; videovastaanotto jää vaihtoehdoksi, "
                "ei oletukseksi.",
            },
        },
    },
    {
        "organisation": "Tervon kunta",
        "title": "Hoidon tarpeen arviointi ja takaisinsoitto (Tervo)",
        "reason": "Otamme Keiteleen version, koska meilläkin lääkäri on paikalla vain osan "
        "viikkoa.",
        "by": "Tervon hyvinvointikoordinaattori",
        "fields": {
            "place": "Tervon terveysasema",
            "municipality": "Tervo, Pohjois-Savon hyvinvointialue",
        },
        "content": {
            "model": {
                "operating_environment": "Terveysasema auki kolmena päivänä viikossa; "
                "kotihoito käy asukkaiden luona joka päivä.",
            },
            "components": [
                *_COMPONENTS[:2],
                (
                    "c1a7e5d2b9f40003",
                    "Oikea ammattilainen kerralla",
                    "Hoitaja hoitaa asian itse tai varaa ajan; lääkärin poissaolopäivinä "
                    "lääkäri tapaa asukkaan videoyhteydellä.",
                ),
                (
                    "a7e2b0c4d1a00006",
                    "Kotikäynti yhdessä kotihoidon kanssa",
                    "Jos asukas ei pääse asemalle, hoitaja sopii arviosta kotihoidon kanssa "
                    "seuraavalle käynnille.",
                ),
            ],
            "matrix": {
                "client": {
                    "actors": "Asukas, omainen ja kotihoidon työntekijä, joka usein soittaa "
                    "asukkaan puolesta.",
                },
            },
            "evaluation": {
                "trial": "Kokeilu 1.9.-31.10. terveysaseman aukiolopäivinä.",
                "evaluation_questions": "Riittääkö kolmen päivän aukiolo, kun kotihoito "
                "tekee osan arvioista?",
                "evaluation_criteria": "80 % soittopyynnöistä samana tai seuraavana "
                "aukiolopäivänä.",
                "results": "76 % soittopyynnöistä hoidettiin tavoiteajassa; kotihoidon "
                "kanssa sovitut käynnit toimivat hyvin.",
                "adoption_decision": "Jatketaan kokeilua kevääseen; arvio toistetaan, "
                "kun puhelinjärjestelmä on päivitetty.",
            },
        },
    },
]


def content_of(data: dict[str, Any]) -> ContentData:
    """A stage as content data, every matrix cell present."""
    matrix = {p: {t: data["matrix"][p][t] for t in TOPICS} for p in PERSPECTIVES}
    content: ContentData = {
        "path": dict(data["path"]),
        "matrix": matrix,
        "evaluation": dict(data["evaluation"]),
        "model": dict(data["model"]),
        "components": list(data["components"]),
        "ideas": [],
    }
    return content


def adapted(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    return _with(base, changes)
