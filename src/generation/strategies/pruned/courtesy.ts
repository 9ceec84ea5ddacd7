/**
 * A notice's courtesy in German, Spanish, French, Italian and Portuguese: hopes and thanks opening
 * it, greetings closing it ("Wir hoffen, Sie hatten einen schönen Sommer", "Queremos agradecer a
 * todos los vecinos ...", "Mit freundlichen Grüßen", "Atentamente"). sentences.ts reads English
 * boilerplate only: a tenants' notice in German kept its "Wir hoffen ..." as its section's lead and
 * lost the day the water goes off, a Spanish one kept its thanks and lost the lift's dates (session 38).
 * It says nothing a reader acts on, as "We hope you had a good summer" says nothing. Its words are read
 * whole: a name opening with one ("Graziella" with "grazie", "Mercier" with "merci") is no courtesy.
 * German thanks may open with what they are for, the verb second ("Für Ihr Verständnis bedanken wir
 * uns herzlich"): a heating notice kept them at keep 0.33 and lost when hot water runs (session 40).
 */
export const FOREIGN_COURTESY =
  /^["'([¡]?(?:wir (?:hoffen|freuen uns|danken|bedanken uns|möchten uns (?:herzlich )?bedanken)|(?:vielen|herzlichen) dank|mit freundlichen grüßen|(?:beste|liebe|freundliche|herzliche) grüße|queremos (?:agradecer|dar las gracias)|(?:les |os )?agradecemos|esperamos que|(?:muchas )?gracias|atentamente|(?:un )?(?:cordial )?saludos?|nous (?:espérons|vous remercions|remercions|sommes heureux)|(?:un grand )?merci|(?:veuillez agréer|cordialement|bien à vous)|speriamo che|(?:vi |la |le |ti )?(?:grazie|ringraziamo)|für (?:ihr|ihre|eure?|dein|deine) (?:verständnis|geduld|mithilfe|mitarbeit|rücksicht(?:nahme)?|kooperation|unterstützung)|cordiali saluti|distinti saluti|obrigad[oa]s?|atenciosamente|com os melhores cumprimentos)(?![\p{L}\p{N}])/iu;
