package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/jobs"
	"peerpress/internal/media"
	"peerpress/internal/search"
)

// demoDocument is a small PDF attached to a demo publication, so that its
// Downloads work as a real one's do. The words are our own.
type demoDocument struct {
	slug  string // the publication's English slug
	lang  string
	title string // of the download, in lang
	lines []string
}

// The PDFs in Latin scripts use a standard font (nothing embedded, to keep
// them tiny); those in Russian, Arabic and Hindi embed the glyphs they use
// (scriptPDF).
var demoDocuments = []demoDocument{
	{"annual-report-2025", "en", "Annual report 2025 (summary)", []string{
		"Annual report 2025 - summary",
		"",
		"This is a demonstration file made by peerpress.",
		"",
		"In a year of shrinking budgets our members kept their doors open.",
		"Twelve new groups joined the network, most of them led by women.",
		"Peer workers handed out more naloxone than in any year before.",
		"Two cities agreed to fund drug checking run by our members.",
		"",
		"Accounts: income, spending and reserves are shown in full",
		"in the printed report.",
	}},
	{"annual-report-2025", "es", "Informe anual 2025 (resumen)", []string{
		"Informe anual 2025 - resumen",
		"",
		"Este es un archivo de demostración creado por peerpress.",
		"",
		"En un año de presupuestos recortados, nuestros miembros",
		"mantuvieron abiertos sus servicios.",
		"Doce grupos nuevos se unieron a la red, la mayoría liderados",
		"por mujeres. Los pares repartieron más naloxona que nunca.",
	}},
	{"annual-report-2025", "fr", "Rapport annuel 2025 (résumé)", []string{
		"Rapport annuel 2025 - résumé",
		"",
		"Ceci est un fichier de démonstration créé par peerpress.",
		"",
		"Dans une année de budgets réduits, nos membres ont gardé",
		"leurs services ouverts. Douze nouveaux groupes ont rejoint",
		"le réseau, pour la plupart menés par des femmes.",
		"Les pairs ont distribué plus de naloxone que jamais.",
	}},
	{"guide-peer-led-naloxone-distribution", "en", "Naloxone guide: the training card", []string{
		"Naloxone: the training card",
		"",
		"This is a demonstration file made by peerpress.",
		"",
		"1. Check for breathing and call out the person's name.",
		"2. Give naloxone: one spray in a nostril, or one injection",
		"   into the thigh.",
		"3. Put the person on their side and stay with them.",
		"4. If there is no change after three minutes, give another dose.",
	}},
	{"guide-peer-led-naloxone-distribution", "fr", "Guide naloxone : la fiche de formation", []string{
		"Naloxone : la fiche de formation",
		"",
		"Ceci est un fichier de démonstration créé par peerpress.",
		"",
		"1. Vérifiez la respiration et appelez la personne par son nom.",
		"2. Donnez la naloxone : une pulvérisation dans une narine,",
		"   ou une injection dans la cuisse.",
		"3. Placez la personne sur le côté et restez avec elle.",
		"4. Sans changement après trois minutes, donnez une autre dose.",
	}},
	{"guide-peer-led-naloxone-distribution", "es", "Guía de naloxona: la ficha de formación", []string{
		"Naloxona: la ficha de formación",
		"",
		"Este es un archivo de demostración creado por peerpress.",
		"",
		"1. Comprueba si respira y llama a la persona por su nombre.",
		"2. Da la naloxona: una pulverización en una fosa nasal,",
		"   o una inyección en el muslo.",
		"3. Pon a la persona de lado y quédate con ella.",
		"4. Si no hay cambios en tres minutos, da otra dosis.",
	}},
	{"guide-peer-led-naloxone-distribution", "ru", "Налоксон: учебная карточка", []string{
		"Налоксон: учебная карточка",
		"",
		"Это демонстрационный файл, созданный peerpress.",
		"",
		"1. Проверьте дыхание и позовите человека по имени.",
		"2. Введите налоксон: одно впрыскивание в ноздрю",
		"   или одна инъекция в бедро.",
		"3. Положите человека на бок и оставайтесь рядом.",
		"4. Если через три минуты ничего не изменилось, введите ещё дозу.",
	}},
	{"guide-peer-led-naloxone-distribution", "ar", "النالوكسون: بطاقة التدريب", []string{
		"النالوكسون: بطاقة التدريب",
		"",
		"هذا ملف تجريبي.",
		"",
		"١. تحقّق من التنفّس وناد الشخص باسمه.",
		"٢. أعطِ النالوكسون: بخّة واحدة في فتحة الأنف،",
		"   أو حقنة واحدة في الفخذ.",
		"٣. ضع الشخص على جنبه وابقَ معه.",
		"٤. إن لم يتغيّر شيء بعد ثلاث دقائق، أعطِ جرعة أخرى.",
	}},
	{"guide-peer-led-naloxone-distribution", "hi", "नालोक्सोन: प्रशिक्षण कार्ड", []string{
		"नालोक्सोन: प्रशिक्षण कार्ड",
		"",
		"यह एक प्रदर्शन फ़ाइल है।",
		"",
		"१. साँस जाँचें और व्यक्ति को उसके नाम से पुकारें।",
		"२. नालोक्सोन दें: नथुने में एक स्प्रे,",
		"   या जाँघ में एक इंजेक्शन।",
		"३. व्यक्ति को करवट लिटाएँ और उसके साथ रहें।",
		"४. तीन मिनट में कोई बदलाव न हो तो दूसरी खुराक दें।",
	}},
	{"briefing-hiv-hepatitis-c-people-who-inject-drugs", "en", "Briefing on HIV and hepatitis C (two pages)", []string{
		"HIV and hepatitis C: a briefing for communities",
		"",
		"This is a demonstration file made by peerpress.",
		"",
		"Sterile equipment, testing close to where people live,",
		"and treatment without a demand to stop using drugs first:",
		"these three together cut new infections fastest.",
		"Free to copy and adapt for non-commercial advocacy.",
	}},
	{"guide-harm-reduction-services-for-women", "en", "Guide for services (checklist)", []string{
		"Making services work for women who use drugs - checklist",
		"",
		"This is a demonstration file made by peerpress.",
		"",
		"- Opening hours that fit around childcare.",
		"- A women-only time or space, staffed by women peers.",
		"- No report to child services without a person's consent.",
		"- Links with shelters that accept women who use drugs.",
	}},
}

// jobDemoDocument writes a demo publication's PDF and attaches it.
const jobDemoDocument = "demo-document"

type documentJob struct {
	Index int `json:"index"` // in demoDocuments
}

// fillDocuments queues the demo publications' files: like the tributes'
// photos they go through the media pipeline, which the demo is loaded
// before.
func fillDocuments(ctx context.Context, d *db.DB, langs []string, now time.Time) error {
	entries := content.NewStore(d, search.Index{})
	// A file may be in a language the publication's page is not (the
	// naloxone card in Arabic and Hindi): its downloads list every file.
	for i, doc := range demoDocuments {
		_, err := entries.BySlug(ctx, "en", doc.slug)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("demo: document: %w", err)
		}
		if !slices.Contains(langs, doc.lang) {
			continue
		}
		payload, _ := json.Marshal(documentJob{Index: i})
		if err := d.Quiet().InTx(ctx, func(tx *db.Tx) error {
			return jobs.Enqueue(ctx, tx, jobDemoDocument, payload, now)
		}); err != nil {
			return err
		}
	}
	return nil
}

// RegisterDocuments has q write the demo publications' PDFs and attach
// them, through the media pipeline like any upload.
func RegisterDocuments(q *jobs.Queue, d *db.DB, m *media.Store) {
	entries := content.NewStore(d, search.Index{})
	q.HandleWith(jobDemoDocument, func(ctx context.Context, payload []byte) error {
		var job documentJob
		if err := json.Unmarshal(payload, &job); err != nil || job.Index < 0 || job.Index >= len(demoDocuments) {
			return jobs.Permanent(fmt.Errorf("demo document %s: %w", payload, err))
		}
		doc := demoDocuments[job.Index]
		e, err := entries.BySlug(ctx, "en", doc.slug)
		if err != nil {
			return jobs.Permanent(err)
		}
		pdf, err := doc.pdf()
		if err != nil {
			return jobs.Permanent(err)
		}
		file, err := m.SaveDocument(ctx, bytes.NewReader(pdf), doc.lang, media.DefaultDocLimits())
		if err != nil {
			return err
		}
		_, err = entries.AddAttachment(ctx, e.ID, file.ID, doc.lang, doc.title)
		return err
	}, jobs.Options{MaxAttempts: 3, Concurrency: 1})
}

// tinyPDF writes a one-page A4 PDF of lines in Helvetica. The standard
// fonts need no embedding and read WinAnsi (Windows-1252) text, so lines
// must be in Latin scripts.
func tinyPDF(lines []string) ([]byte, error) {
	var text strings.Builder
	text.WriteString("BT /F1 12 Tf 16 TL 56 780 Td\n")
	for i, line := range lines {
		enc, err := charmap.Windows1252.NewEncoder().String(line)
		if err != nil {
			return nil, fmt.Errorf("demo: pdf line %q: %w", line, err)
		}
		r := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
		if i == 0 {
			text.WriteString("/F1 16 Tf ")
		} else if i == 1 {
			text.WriteString("/F1 12 Tf ")
		}
		text.WriteString("(" + r.Replace(enc) + ") Tj T*\n")
	}
	text.WriteString("ET\n")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", text.Len(), text.String()),
	}
	return writePDF(objects), nil
}

// pdf is the document's file: in Helvetica for Latin scripts, with the
// glyphs it uses embedded for the others.
func (doc demoDocument) pdf() ([]byte, error) {
	switch doc.lang {
	case "ru":
		return scriptPDF(doc.lines, "GoBold", false)
	case "ar":
		return scriptPDF(doc.lines, "NotoSansArabic-Bold", true)
	case "hi":
		return scriptPDF(doc.lines, "NotoSansDevanagari-Bold", false)
	}
	return tinyPDF(doc.lines)
}
