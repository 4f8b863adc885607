// Message catalog. Placeholders: {name} friendly name, {code} the code,
// {amount} and {payee} for PSD2, {minutes} code lifetime, and in `call`
// {message} is the sms/psd2 sentence already filled with the spelled code.
// Sentences do not end with punctuation where more text may be appended.
// Where a language inflects nouns after numbers (Slavic, Baltic, Romanian),
// email bodies use an abbreviated unit so any {minutes} value reads correctly.
// `callPressKey` and `callGoodbye` are a call's key-press step (a service's DtmfInputRequired):
// the prompt before the code, and what is said when no key came.

export interface Template {
  sms: string;
  psd2: string;
  warning: string;
  call: string;
  callPressKey: string;
  callGoodbye: string;
  emailSubject: string;
  emailBody: string;
}

export const EN: Template = {
  sms: 'Your {name} verification code is: {code}',
  psd2: 'Your {name} verification code to authorize a payment of {amount} to {payee} is: {code}',
  warning: 'Do not share this code with anyone. We will never ask you for it.',
  call: '{message}. Once again, your code is: {code}.',
  callPressKey: 'This is {name}. Press any key to hear your verification code.',
  callGoodbye: 'No key was pressed. Goodbye.',
  emailSubject: 'Your {name} verification code',
  emailBody:
    'Your {name} verification code is: {code}\n\nThe code is valid for {minutes} minutes.\n\n' +
    'If you did not request this code, you can ignore this email.',
};

const ES: Template = {
  sms: 'Tu código de verificación de {name} es: {code}',
  psd2: 'Tu código de verificación de {name} para autorizar un pago de {amount} a {payee} es: {code}',
  warning: 'No compartas este código con nadie. Nunca te lo pediremos.',
  call: '{message}. Repito, tu código es: {code}.',
  callPressKey: 'Te llamamos de {name}. Pulsa cualquier tecla para escuchar tu código de verificación.',
  callGoodbye: 'No se ha pulsado ninguna tecla. Adiós.',
  emailSubject: 'Tu código de verificación de {name}',
  emailBody:
    'Tu código de verificación de {name} es: {code}\n\nEl código es válido durante {minutes} minutos.\n\n' +
    'Si no solicitaste este código, puedes ignorar este correo.',
};

// Partial so that a locale missing a string falls back to English for that string alone.
export const TEMPLATES: Readonly<Record<string, Partial<Template>>> = {
  en: EN,
  'en-GB': {
    ...EN,
    psd2: 'Your {name} verification code to authorise a payment of {amount} to {payee} is: {code}',
  },
  af: {
    sms: 'Jou verifikasiekode vir {name} is: {code}',
    psd2: "Jou verifikasiekode vir {name} om 'n betaling van {amount} aan {payee} te magtig, is: {code}",
    warning: 'Moenie hierdie kode met enigiemand deel nie. Ons sal jou nooit daarvoor vra nie.',
    call: '{message}. Ek herhaal, jou kode is: {code}.',
    callPressKey: 'Dit is {name}. Druk enige sleutel om jou verifikasiekode te hoor.',
    callGoodbye: 'Geen sleutel is gedruk nie. Totsiens.',
    emailSubject: 'Jou verifikasiekode vir {name}',
    emailBody:
      'Jou verifikasiekode vir {name} is: {code}\n\nDie kode is vir {minutes} minute geldig.\n\n' +
      'As jy nie hierdie kode aangevra het nie, kan jy hierdie e-pos ignoreer.',
  },
  ar: {
    sms: 'رمز التحقق الخاص بك لدى {name} هو: {code}',
    psd2: 'رمز التحقق الخاص بك لدى {name} لتفويض دفعة بقيمة {amount} إلى {payee} هو: {code}',
    warning: 'لا تشارك هذا الرمز مع أي شخص. لن نطلبه منك أبدًا.',
    call: '{message}. مرة أخرى، رمزك هو: {code}.',
    callPressKey: 'معك {name}. اضغط أي مفتاح لسماع رمز التحقق الخاص بك.',
    callGoodbye: 'لم يتم الضغط على أي مفتاح. مع السلامة.',
    emailSubject: 'رمز التحقق الخاص بك لدى {name}',
    emailBody:
      'رمز التحقق الخاص بك لدى {name} هو: {code}\n\nالرمز صالح لمدة {minutes} دقيقة.\n\n' +
      'إذا لم تطلب هذا الرمز، يمكنك تجاهل هذه الرسالة.',
  },
  ca: {
    sms: 'El teu codi de verificació de {name} és: {code}',
    psd2: 'El teu codi de verificació de {name} per autoritzar un pagament de {amount} a {payee} és: {code}',
    warning: "No comparteixis aquest codi amb ningú. Mai no te'l demanarem.",
    call: '{message}. Una altra vegada, el teu codi és: {code}.',
    callPressKey: 'Et truquem de {name}. Prem qualsevol tecla per escoltar el teu codi de verificació.',
    callGoodbye: "No s'ha premut cap tecla. Adéu.",
    emailSubject: 'El teu codi de verificació de {name}',
    emailBody:
      'El teu codi de verificació de {name} és: {code}\n\nEl codi és vàlid durant {minutes} minuts.\n\n' +
      "Si no has sol·licitat aquest codi, pots ignorar aquest correu.",
  },
  // Plain `zh` is what Taiwan maps to, so it is written in Traditional characters.
  zh: {
    sms: '您的{name}驗證碼是：{code}',
    psd2: '您用於授權向{payee}支付{amount}的{name}驗證碼是：{code}',
    warning: '請勿將此驗證碼告訴任何人。我們絕不會向您索取。',
    call: '{message}。再說一次，您的驗證碼是：{code}。',
    callPressKey: '這是{name}。請按任意鍵收聽您的驗證碼。',
    callGoodbye: '未按下任何按鍵。再見。',
    emailSubject: '您的{name}驗證碼',
    emailBody: '您的{name}驗證碼是：{code}\n\n驗證碼在{minutes}分鐘內有效。\n\n如果您沒有要求此驗證碼，請忽略這封電子郵件。',
  },
  'zh-CN': {
    sms: '您的{name}验证码是：{code}',
    psd2: '您用于授权向{payee}支付{amount}的{name}验证码是：{code}',
    warning: '请勿向任何人透露此验证码。我们绝不会向您索要。',
    call: '{message}。再说一遍，您的验证码是：{code}。',
    callPressKey: '这里是{name}。请按任意键收听您的验证码。',
    callGoodbye: '未按下任何按键。再见。',
    emailSubject: '您的{name}验证码',
    emailBody: '您的{name}验证码是：{code}\n\n验证码在{minutes}分钟内有效。\n\n如果您没有请求此验证码，请忽略此邮件。',
  },
  // The voice for zh-HK speaks Cantonese, so the spoken repeat is colloquial.
  'zh-HK': {
    sms: '你的{name}驗證碼是：{code}',
    psd2: '你用於授權向{payee}支付{amount}的{name}驗證碼是：{code}',
    warning: '請勿向任何人透露此驗證碼。我們絕不會向你索取。',
    call: '{message}。再講一次，你嘅驗證碼係：{code}。',
    callPressKey: '呢度係{name}。請按任何一個掣收聽你嘅驗證碼。',
    callGoodbye: '你冇按任何掣。拜拜。',
    emailSubject: '你的{name}驗證碼',
    emailBody: '你的{name}驗證碼是：{code}\n\n驗證碼於{minutes}分鐘內有效。\n\n如你沒有要求此驗證碼，請忽略此電郵。',
  },
  hr: {
    sms: 'Vaš verifikacijski kôd za {name} je: {code}',
    psd2: 'Vaš verifikacijski kôd za {name} za autorizaciju plaćanja od {amount} primatelju {payee} je: {code}',
    warning: 'Ne dijelite ovaj kôd ni s kim. Nikada ga nećemo tražiti od vas.',
    call: '{message}. Ponavljam, vaš kôd je: {code}.',
    callPressKey: 'Ovdje {name}. Pritisnite bilo koju tipku da biste čuli svoj verifikacijski kôd.',
    callGoodbye: 'Nije pritisnuta nijedna tipka. Doviđenja.',
    emailSubject: 'Vaš verifikacijski kôd za {name}',
    emailBody:
      'Vaš verifikacijski kôd za {name} je: {code}\n\nKôd vrijedi {minutes} min.\n\n' +
      'Ako niste zatražili ovaj kôd, zanemarite ovu poruku.',
  },
  cs: {
    sms: 'Váš ověřovací kód pro {name} je: {code}',
    psd2: 'Váš ověřovací kód pro {name} k autorizaci platby {amount} příjemci {payee} je: {code}',
    warning: 'Tento kód nikomu nesdělujte. Nikdy vás o něj nebudeme žádat.',
    call: '{message}. Ještě jednou, váš kód je: {code}.',
    callPressKey: 'Tady {name}. Stiskněte libovolnou klávesu a uslyšíte svůj ověřovací kód.',
    callGoodbye: 'Nebyla stisknuta žádná klávesa. Na shledanou.',
    emailSubject: 'Váš ověřovací kód pro {name}',
    emailBody:
      'Váš ověřovací kód pro {name} je: {code}\n\nKód je platný {minutes} min.\n\n' +
      'Pokud jste o tento kód nežádali, můžete tento e-mail ignorovat.',
  },
  da: {
    sms: 'Din bekræftelseskode til {name} er: {code}',
    psd2: 'Din bekræftelseskode til {name} til godkendelse af en betaling på {amount} til {payee} er: {code}',
    warning: 'Del ikke denne kode med nogen. Vi vil aldrig bede dig om den.',
    call: '{message}. Jeg gentager, din kode er: {code}.',
    callPressKey: 'Dette er {name}. Tryk på en vilkårlig tast for at høre din bekræftelseskode.',
    callGoodbye: 'Der blev ikke trykket på nogen tast. Farvel.',
    emailSubject: 'Din bekræftelseskode til {name}',
    emailBody:
      'Din bekræftelseskode til {name} er: {code}\n\nKoden er gyldig i {minutes} minutter.\n\n' +
      'Hvis du ikke har anmodet om denne kode, kan du se bort fra denne e-mail.',
  },
  nl: {
    sms: 'Je verificatiecode voor {name} is: {code}',
    psd2: 'Je verificatiecode voor {name} om een betaling van {amount} aan {payee} te autoriseren is: {code}',
    warning: 'Deel deze code met niemand. Wij zullen er nooit om vragen.',
    call: '{message}. Nogmaals, je code is: {code}.',
    callPressKey: 'Dit is {name}. Druk op een willekeurige toets om je verificatiecode te horen.',
    callGoodbye: 'Er is geen toets ingedrukt. Tot ziens.',
    emailSubject: 'Je verificatiecode voor {name}',
    emailBody:
      'Je verificatiecode voor {name} is: {code}\n\nDe code is {minutes} minuten geldig.\n\n' +
      'Heb je deze code niet aangevraagd? Dan kun je deze e-mail negeren.',
  },
  et: {
    sms: 'Teie kinnituskood teenusele {name} on: {code}',
    psd2: 'Teie kinnituskood teenusele {name} makse {amount} kinnitamiseks saajale {payee} on: {code}',
    warning: 'Ärge jagage seda koodi kellegagi. Me ei küsi seda teilt kunagi.',
    call: '{message}. Kordan, teie kood on: {code}.',
    callPressKey: 'Siin {name}. Vajutage mis tahes klahvi, et kuulda oma kinnituskoodi.',
    callGoodbye: 'Ühtegi klahvi ei vajutatud. Head aega.',
    emailSubject: 'Teie kinnituskood teenusele {name}',
    emailBody:
      'Teie kinnituskood teenusele {name} on: {code}\n\nKood kehtib {minutes} minutit.\n\n' +
      'Kui te seda koodi ei taotlenud, võite selle e-kirja tähelepanuta jätta.',
  },
  fi: {
    sms: 'Vahvistuskoodisi palveluun {name} on: {code}',
    psd2: 'Vahvistuskoodisi palveluun {name} maksun {amount} hyväksymiseksi saajalle {payee} on: {code}',
    warning: 'Älä jaa tätä koodia kenenkään kanssa. Emme koskaan pyydä sitä sinulta.',
    call: '{message}. Toistan, koodisi on: {code}.',
    callPressKey: 'Täällä {name}. Kuule vahvistuskoodisi painamalla mitä tahansa näppäintä.',
    callGoodbye: 'Mitään näppäintä ei painettu. Näkemiin.',
    emailSubject: 'Vahvistuskoodisi palveluun {name}',
    emailBody:
      'Vahvistuskoodisi palveluun {name} on: {code}\n\nKoodi on voimassa {minutes} minuuttia.\n\n' +
      'Jos et pyytänyt tätä koodia, voit jättää tämän viestin huomiotta.',
  },
  fr: {
    sms: 'Votre code de vérification {name} est : {code}',
    psd2: 'Votre code de vérification {name} pour autoriser un paiement de {amount} à {payee} est : {code}',
    warning: 'Ne partagez ce code avec personne. Nous ne vous le demanderons jamais.',
    call: '{message}. Je répète, votre code est : {code}.',
    callPressKey: 'Ici {name}. Appuyez sur une touche pour entendre votre code de vérification.',
    callGoodbye: "Aucune touche n'a été pressée. Au revoir.",
    emailSubject: 'Votre code de vérification {name}',
    emailBody:
      'Votre code de vérification {name} est : {code}\n\nCe code est valable {minutes} minutes.\n\n' +
      "Si vous n'avez pas demandé ce code, vous pouvez ignorer cet e-mail.",
  },
  de: {
    sms: 'Ihr Bestätigungscode für {name} lautet: {code}',
    psd2: 'Ihr Bestätigungscode für {name} zur Autorisierung einer Zahlung von {amount} an {payee} lautet: {code}',
    warning: 'Geben Sie diesen Code an niemanden weiter. Wir werden Sie niemals danach fragen.',
    call: '{message}. Ich wiederhole, Ihr Code lautet: {code}.',
    callPressKey: 'Hier ist {name}. Drücken Sie eine beliebige Taste, um Ihren Bestätigungscode zu hören.',
    callGoodbye: 'Es wurde keine Taste gedrückt. Auf Wiederhören.',
    emailSubject: 'Ihr Bestätigungscode für {name}',
    emailBody:
      'Ihr Bestätigungscode für {name} lautet: {code}\n\nDer Code ist {minutes} Minuten gültig.\n\n' +
      'Falls Sie diesen Code nicht angefordert haben, können Sie diese E-Mail ignorieren.',
  },
  el: {
    sms: 'Ο κωδικός επαλήθευσης για το {name} είναι: {code}',
    psd2: 'Ο κωδικός επαλήθευσης για το {name} για την έγκριση πληρωμής {amount} προς {payee} είναι: {code}',
    warning: 'Μην κοινοποιήσετε αυτόν τον κωδικό σε κανέναν. Δεν θα σας τον ζητήσουμε ποτέ.',
    call: '{message}. Επαναλαμβάνω, ο κωδικός σας είναι: {code}.',
    callPressKey: 'Εδώ {name}. Πατήστε οποιοδήποτε πλήκτρο για να ακούσετε τον κωδικό επαλήθευσης.',
    callGoodbye: 'Δεν πατήθηκε κανένα πλήκτρο. Αντίο.',
    emailSubject: 'Ο κωδικός επαλήθευσης για το {name}',
    emailBody:
      'Ο κωδικός επαλήθευσης για το {name} είναι: {code}\n\nΟ κωδικός ισχύει για {minutes} λεπτά.\n\n' +
      'Αν δεν ζητήσατε αυτόν τον κωδικό, μπορείτε να αγνοήσετε αυτό το email.',
  },
  he: {
    sms: 'קוד האימות שלך עבור {name} הוא: {code}',
    psd2: 'קוד האימות שלך עבור {name} לאישור תשלום של {amount} ל-{payee} הוא: {code}',
    warning: 'אין לשתף קוד זה עם אף אחד. לעולם לא נבקש אותו ממך.',
    call: '{message}. שוב, הקוד שלך הוא: {code}.',
    callPressKey: 'כאן {name}. יש להקיש על מקש כלשהו כדי לשמוע את קוד האימות שלך.',
    callGoodbye: 'לא הוקש אף מקש. להתראות.',
    emailSubject: 'קוד האימות שלך עבור {name}',
    emailBody:
      'קוד האימות שלך עבור {name} הוא: {code}\n\nהקוד בתוקף למשך {minutes} דקות.\n\n' +
      'אם לא ביקשת קוד זה, אפשר להתעלם מהודעה זו.',
  },
  hi: {
    sms: 'आपका {name} सत्यापन कोड है: {code}',
    psd2: '{payee} को {amount} के भुगतान को अधिकृत करने के लिए आपका {name} सत्यापन कोड है: {code}',
    warning: 'यह कोड किसी के साथ साझा न करें। हम आपसे यह कोड कभी नहीं माँगेंगे।',
    call: '{message}। फिर से, आपका कोड है: {code}।',
    callPressKey: 'यह {name} है। अपना सत्यापन कोड सुनने के लिए कोई भी बटन दबाएँ।',
    callGoodbye: 'कोई बटन नहीं दबाया गया। अलविदा।',
    emailSubject: 'आपका {name} सत्यापन कोड',
    emailBody:
      'आपका {name} सत्यापन कोड है: {code}\n\nयह कोड {minutes} मिनट के लिए मान्य है।\n\n' +
      'यदि आपने यह कोड नहीं माँगा था, तो इस ईमेल को अनदेखा करें।',
  },
  hu: {
    sms: 'Az Ön {name} ellenőrző kódja: {code}',
    psd2: 'Az Ön {name} ellenőrző kódja a(z) {payee} részére történő {amount} összegű fizetés jóváhagyásához: {code}',
    warning: 'Ne ossza meg ezt a kódot senkivel. Soha nem fogjuk elkérni Öntől.',
    call: '{message}. Még egyszer, az Ön kódja: {code}.',
    callPressKey: 'Itt a(z) {name}. Az ellenőrző kód meghallgatásához nyomjon meg egy tetszőleges gombot.',
    callGoodbye: 'Nem nyomott meg gombot. Viszonthallásra.',
    emailSubject: 'Az Ön {name} ellenőrző kódja',
    emailBody:
      'Az Ön {name} ellenőrző kódja: {code}\n\nA kód {minutes} percig érvényes.\n\n' +
      'Ha nem Ön kérte ezt a kódot, hagyja figyelmen kívül ezt az e-mailt.',
  },
  id: {
    sms: 'Kode verifikasi {name} Anda adalah: {code}',
    psd2: 'Kode verifikasi {name} Anda untuk mengotorisasi pembayaran sebesar {amount} kepada {payee} adalah: {code}',
    warning: 'Jangan bagikan kode ini kepada siapa pun. Kami tidak akan pernah memintanya.',
    call: '{message}. Sekali lagi, kode Anda adalah: {code}.',
    callPressKey: 'Ini {name}. Tekan tombol apa saja untuk mendengar kode verifikasi Anda.',
    callGoodbye: 'Tidak ada tombol yang ditekan. Sampai jumpa.',
    emailSubject: 'Kode verifikasi {name} Anda',
    emailBody:
      'Kode verifikasi {name} Anda adalah: {code}\n\nKode ini berlaku selama {minutes} menit.\n\n' +
      'Jika Anda tidak meminta kode ini, abaikan email ini.',
  },
  it: {
    sms: 'Il tuo codice di verifica {name} è: {code}',
    psd2: 'Il tuo codice di verifica {name} per autorizzare un pagamento di {amount} a {payee} è: {code}',
    warning: 'Non condividere questo codice con nessuno. Non te lo chiederemo mai.',
    call: '{message}. Ripeto, il tuo codice è: {code}.',
    callPressKey: 'Qui {name}. Premi un tasto qualsiasi per ascoltare il tuo codice di verifica.',
    callGoodbye: 'Nessun tasto premuto. Arrivederci.',
    emailSubject: 'Il tuo codice di verifica {name}',
    emailBody:
      'Il tuo codice di verifica {name} è: {code}\n\nIl codice è valido per {minutes} minuti.\n\n' +
      'Se non hai richiesto questo codice, puoi ignorare questa email.',
  },
  ja: {
    sms: '{name}の認証コードは{code}です',
    psd2: '{payee}への{amount}のお支払いを承認するための{name}の認証コードは{code}です',
    warning: 'このコードを他の人に教えないでください。当社からコードをお尋ねすることはありません。',
    call: '{message}。繰り返します。認証コードは{code}です。',
    callPressKey: 'こちらは{name}です。認証コードをお聞きになるには、いずれかのキーを押してください。',
    callGoodbye: 'キーが押されませんでした。失礼いたします。',
    emailSubject: '{name}の認証コード',
    emailBody:
      '{name}の認証コードは{code}です。\n\nこのコードの有効期限は{minutes}分です。\n\n' +
      'このコードに心当たりがない場合は、このメールを無視してください。',
  },
  kn: {
    sms: 'ನಿಮ್ಮ {name} ಪರಿಶೀಲನಾ ಕೋಡ್: {code}',
    psd2: '{payee} ಅವರಿಗೆ {amount} ಪಾವತಿಯನ್ನು ಅಧಿಕೃತಗೊಳಿಸಲು ನಿಮ್ಮ {name} ಪರಿಶೀಲನಾ ಕೋಡ್: {code}',
    warning: 'ಈ ಕೋಡ್ ಅನ್ನು ಯಾರೊಂದಿಗೂ ಹಂಚಿಕೊಳ್ಳಬೇಡಿ. ನಾವು ಅದನ್ನು ಎಂದಿಗೂ ಕೇಳುವುದಿಲ್ಲ.',
    call: '{message}. ಮತ್ತೊಮ್ಮೆ, ನಿಮ್ಮ ಕೋಡ್: {code}.',
    callPressKey: 'ಇದು {name}. ನಿಮ್ಮ ಪರಿಶೀಲನಾ ಕೋಡ್ ಕೇಳಲು ಯಾವುದಾದರೂ ಕೀಲಿಯನ್ನು ಒತ್ತಿ.',
    callGoodbye: 'ಯಾವುದೇ ಕೀಲಿಯನ್ನು ಒತ್ತಲಾಗಿಲ್ಲ. ವಿದಾಯ.',
    emailSubject: 'ನಿಮ್ಮ {name} ಪರಿಶೀಲನಾ ಕೋಡ್',
    emailBody:
      'ನಿಮ್ಮ {name} ಪರಿಶೀಲನಾ ಕೋಡ್: {code}\n\nಈ ಕೋಡ್ {minutes} ನಿಮಿಷಗಳವರೆಗೆ ಮಾನ್ಯವಾಗಿರುತ್ತದೆ.\n\n' +
      'ನೀವು ಈ ಕೋಡ್ ಅನ್ನು ವಿನಂತಿಸದಿದ್ದರೆ, ಈ ಇಮೇಲ್ ಅನ್ನು ನಿರ್ಲಕ್ಷಿಸಿ.',
  },
  ko: {
    sms: '{name} 인증 코드: {code}',
    psd2: '{payee}에게 {amount} 결제를 승인하기 위한 {name} 인증 코드: {code}',
    warning: '이 코드를 다른 사람과 공유하지 마세요. 저희는 절대 코드를 요청하지 않습니다.',
    call: '{message}. 다시 한 번, 인증 코드는 {code}입니다.',
    callPressKey: '{name}입니다. 인증 코드를 들으시려면 아무 키나 누르세요.',
    callGoodbye: '키가 입력되지 않았습니다. 안녕히 계세요.',
    emailSubject: '{name} 인증 코드',
    emailBody:
      '{name} 인증 코드는 {code}입니다.\n\n이 코드는 {minutes}분 동안 유효합니다.\n\n' +
      '코드를 요청하지 않았다면 이 이메일을 무시하세요.',
  },
  lt: {
    sms: 'Jūsų {name} patvirtinimo kodas: {code}',
    psd2: 'Jūsų {name} patvirtinimo kodas, skirtas {amount} mokėjimui gavėjui {payee} autorizuoti: {code}',
    warning: 'Niekam neatskleiskite šio kodo. Mes niekada jo neprašysime.',
    call: '{message}. Kartoju, jūsų kodas: {code}.',
    callPressKey: 'Čia {name}. Paspauskite bet kurį mygtuką, kad išgirstumėte patvirtinimo kodą.',
    callGoodbye: 'Nepaspaustas joks mygtukas. Viso gero.',
    emailSubject: 'Jūsų {name} patvirtinimo kodas',
    emailBody:
      'Jūsų {name} patvirtinimo kodas: {code}\n\nKodas galioja {minutes} min.\n\n' +
      'Jei šio kodo neprašėte, ignoruokite šį el. laišką.',
  },
  ms: {
    sms: 'Kod pengesahan {name} anda ialah: {code}',
    psd2: 'Kod pengesahan {name} anda untuk membenarkan pembayaran sebanyak {amount} kepada {payee} ialah: {code}',
    warning: 'Jangan kongsi kod ini dengan sesiapa pun. Kami tidak akan sekali-kali memintanya.',
    call: '{message}. Sekali lagi, kod anda ialah: {code}.',
    callPressKey: 'Ini {name}. Tekan mana-mana kekunci untuk mendengar kod pengesahan anda.',
    callGoodbye: 'Tiada kekunci ditekan. Selamat tinggal.',
    emailSubject: 'Kod pengesahan {name} anda',
    emailBody:
      'Kod pengesahan {name} anda ialah: {code}\n\nKod ini sah selama {minutes} minit.\n\n' +
      'Jika anda tidak meminta kod ini, abaikan e-mel ini.',
  },
  mr: {
    sms: 'तुमचा {name} पडताळणी कोड आहे: {code}',
    psd2: '{payee} यांना {amount} चे पेमेंट अधिकृत करण्यासाठी तुमचा {name} पडताळणी कोड आहे: {code}',
    warning: 'हा कोड कोणाशीही शेअर करू नका. आम्ही तो तुमच्याकडे कधीही मागणार नाही.',
    call: '{message}. पुन्हा एकदा, तुमचा कोड आहे: {code}.',
    callPressKey: 'हा {name} कडून कॉल आहे. तुमचा पडताळणी कोड ऐकण्यासाठी कोणतीही की दाबा.',
    callGoodbye: 'कोणतीही की दाबली गेली नाही. धन्यवाद.',
    emailSubject: 'तुमचा {name} पडताळणी कोड',
    emailBody:
      'तुमचा {name} पडताळणी कोड आहे: {code}\n\nहा कोड {minutes} मिनिटांसाठी वैध आहे.\n\n' +
      'तुम्ही हा कोड मागितला नसल्यास, या ईमेलकडे दुर्लक्ष करा.',
  },
  nb: {
    sms: 'Din bekreftelseskode for {name} er: {code}',
    psd2: 'Din bekreftelseskode for {name} for å godkjenne en betaling på {amount} til {payee} er: {code}',
    warning: 'Ikke del denne koden med noen. Vi kommer aldri til å be deg om den.',
    call: '{message}. Jeg gjentar, koden din er: {code}.',
    callPressKey: 'Dette er {name}. Trykk på en hvilken som helst tast for å høre bekreftelseskoden din.',
    callGoodbye: 'Ingen tast ble trykket. Ha det.',
    emailSubject: 'Din bekreftelseskode for {name}',
    emailBody:
      'Din bekreftelseskode for {name} er: {code}\n\nKoden er gyldig i {minutes} minutter.\n\n' +
      'Hvis du ikke ba om denne koden, kan du se bort fra denne e-posten.',
  },
  pl: {
    sms: 'Twój kod weryfikacyjny {name} to: {code}',
    psd2: 'Twój kod weryfikacyjny {name} do autoryzacji płatności {amount} na rzecz {payee} to: {code}',
    warning: 'Nie udostępniaj tego kodu nikomu. Nigdy Cię o niego nie poprosimy.',
    call: '{message}. Powtarzam, Twój kod to: {code}.',
    callPressKey: 'Tu {name}. Naciśnij dowolny klawisz, aby usłyszeć swój kod weryfikacyjny.',
    callGoodbye: 'Nie naciśnięto żadnego klawisza. Do widzenia.',
    emailSubject: 'Twój kod weryfikacyjny {name}',
    emailBody:
      'Twój kod weryfikacyjny {name} to: {code}\n\nKod jest ważny przez {minutes} min.\n\n' +
      'Jeśli nie prosiłeś o ten kod, zignoruj tę wiadomość.',
  },
  'pt-BR': {
    sms: 'Seu código de verificação {name} é: {code}',
    psd2: 'Seu código de verificação {name} para autorizar um pagamento de {amount} para {payee} é: {code}',
    warning: 'Não compartilhe este código com ninguém. Nunca vamos pedir esse código a você.',
    call: '{message}. Repetindo, seu código é: {code}.',
    callPressKey: 'Esta é uma ligação de {name}. Pressione qualquer tecla para ouvir seu código de verificação.',
    callGoodbye: 'Nenhuma tecla foi pressionada. Até logo.',
    emailSubject: 'Seu código de verificação {name}',
    emailBody:
      'Seu código de verificação {name} é: {code}\n\nO código é válido por {minutes} minutos.\n\n' +
      'Se você não solicitou este código, ignore este e-mail.',
  },
  pt: {
    sms: 'O seu código de verificação {name} é: {code}',
    psd2: 'O seu código de verificação {name} para autorizar um pagamento de {amount} a {payee} é: {code}',
    warning: 'Não partilhe este código com ninguém. Nunca lhe pediremos este código.',
    call: '{message}. Repito, o seu código é: {code}.',
    callPressKey: 'Esta é uma chamada de {name}. Prima qualquer tecla para ouvir o seu código de verificação.',
    callGoodbye: 'Nenhuma tecla foi premida. Adeus.',
    emailSubject: 'O seu código de verificação {name}',
    emailBody:
      'O seu código de verificação {name} é: {code}\n\nO código é válido durante {minutes} minutos.\n\n' +
      'Se não pediu este código, ignore este e-mail.',
  },
  ro: {
    sms: 'Codul tău de verificare {name} este: {code}',
    psd2: 'Codul tău de verificare {name} pentru autorizarea unei plăți de {amount} către {payee} este: {code}',
    warning: 'Nu împărtăși acest cod cu nimeni. Nu ți-l vom cere niciodată.',
    call: '{message}. Repet, codul tău este: {code}.',
    callPressKey: 'Aici {name}. Apasă orice tastă pentru a auzi codul tău de verificare.',
    callGoodbye: 'Nu a fost apăsată nicio tastă. La revedere.',
    emailSubject: 'Codul tău de verificare {name}',
    emailBody:
      'Codul tău de verificare {name} este: {code}\n\nCodul este valabil {minutes} min.\n\n' +
      'Dacă nu ai solicitat acest cod, poți ignora acest e-mail.',
  },
  ru: {
    sms: 'Ваш код подтверждения {name}: {code}',
    psd2: 'Ваш код подтверждения {name} для авторизации платежа на сумму {amount} в пользу {payee}: {code}',
    warning: 'Никому не сообщайте этот код. Мы никогда не попросим его у вас.',
    call: '{message}. Повторяю, ваш код: {code}.',
    callPressKey: 'Вас беспокоит {name}. Нажмите любую клавишу, чтобы прослушать код подтверждения.',
    callGoodbye: 'Клавиша не была нажата. До свидания.',
    emailSubject: 'Ваш код подтверждения {name}',
    emailBody:
      'Ваш код подтверждения {name}: {code}\n\nКод действителен {minutes} мин.\n\n' +
      'Если вы не запрашивали этот код, просто проигнорируйте это письмо.',
  },
  sk: {
    sms: 'Váš overovací kód pre {name} je: {code}',
    psd2: 'Váš overovací kód pre {name} na autorizáciu platby {amount} príjemcovi {payee} je: {code}',
    warning: 'Tento kód nikomu neposkytujte. Nikdy vás oň nebudeme žiadať.',
    call: '{message}. Ešte raz, váš kód je: {code}.',
    callPressKey: 'Tu {name}. Stlačte ľubovoľné tlačidlo a vypočujete si svoj overovací kód.',
    callGoodbye: 'Nebolo stlačené žiadne tlačidlo. Dovidenia.',
    emailSubject: 'Váš overovací kód pre {name}',
    emailBody:
      'Váš overovací kód pre {name} je: {code}\n\nKód je platný {minutes} min.\n\n' +
      'Ak ste o tento kód nežiadali, tento e-mail ignorujte.',
  },
  es: ES,
  // The informal Spanish above already reads naturally across Latin America.
  'es-419': ES,
  sv: {
    sms: 'Din verifieringskod för {name} är: {code}',
    psd2: 'Din verifieringskod för {name} för att godkänna en betalning på {amount} till {payee} är: {code}',
    warning: 'Dela inte den här koden med någon. Vi kommer aldrig att be dig om den.',
    call: '{message}. Jag upprepar, din kod är: {code}.',
    callPressKey: 'Det här är {name}. Tryck på valfri knapp för att höra din verifieringskod.',
    callGoodbye: 'Ingen knapp trycktes. Hej då.',
    emailSubject: 'Din verifieringskod för {name}',
    emailBody:
      'Din verifieringskod för {name} är: {code}\n\nKoden är giltig i {minutes} minuter.\n\n' +
      'Om du inte har begärt den här koden kan du ignorera det här mejlet.',
  },
  tl: {
    sms: 'Ang iyong {name} verification code ay: {code}',
    psd2: 'Ang iyong {name} verification code para pahintulutan ang bayad na {amount} sa {payee} ay: {code}',
    warning: 'Huwag ibahagi ang code na ito kaninuman. Hindi namin ito hihingin sa iyo kailanman.',
    call: '{message}. Uulitin ko, ang iyong code ay: {code}.',
    callPressKey: 'Ito ang {name}. Pumindot ng kahit anong key para marinig ang iyong verification code.',
    callGoodbye: 'Walang pinindot na key. Paalam.',
    emailSubject: 'Ang iyong {name} verification code',
    emailBody:
      'Ang iyong {name} verification code ay: {code}\n\nMagagamit ang code na ito sa loob ng {minutes} minuto.\n\n' +
      'Kung hindi ikaw ang humiling ng code na ito, huwag pansinin ang email na ito.',
  },
  te: {
    sms: 'మీ {name} ధృవీకరణ కోడ్: {code}',
    psd2: '{payee}కు {amount} చెల్లింపును ఆమోదించడానికి మీ {name} ధృవీకరణ కోడ్: {code}',
    warning: 'ఈ కోడ్ ఎవరితోనూ పంచుకోవద్దు. మేము దీన్ని ఎప్పుడూ అడగము.',
    call: '{message}. మళ్ళీ చెబుతున్నాను, మీ కోడ్: {code}.',
    callPressKey: 'ఇది {name}. మీ ధృవీకరణ కోడ్ వినడానికి ఏదైనా కీని నొక్కండి.',
    callGoodbye: 'ఏ కీ నొక్కలేదు. సెలవు.',
    emailSubject: 'మీ {name} ధృవీకరణ కోడ్',
    emailBody:
      'మీ {name} ధృవీకరణ కోడ్: {code}\n\nఈ కోడ్ {minutes} నిమిషాల పాటు చెల్లుతుంది.\n\n' +
      'మీరు ఈ కోడ్ అభ్యర్థించకపోతే, ఈ ఇమెయిల్ విస్మరించండి.',
  },
  // Thai separates sentences with spaces rather than full stops.
  th: {
    sms: 'รหัสยืนยัน {name} ของคุณคือ: {code}',
    psd2: 'รหัสยืนยัน {name} ของคุณสำหรับอนุมัติการชำระเงิน {amount} ให้แก่ {payee} คือ: {code}',
    warning: 'อย่าแชร์รหัสนี้กับผู้อื่น เราจะไม่ขอรหัสนี้จากคุณ',
    call: '{message} ขอย้ำอีกครั้ง รหัสของคุณคือ: {code}',
    callPressKey: 'ที่นี่คือ {name} กดปุ่มใดก็ได้เพื่อฟังรหัสยืนยันของคุณ',
    callGoodbye: 'ไม่มีการกดปุ่ม ขอบคุณและสวัสดี',
    emailSubject: 'รหัสยืนยัน {name} ของคุณ',
    emailBody:
      'รหัสยืนยัน {name} ของคุณคือ: {code}\n\nรหัสนี้ใช้ได้ {minutes} นาที\n\n' +
      'หากคุณไม่ได้ขอรหัสนี้ โปรดเพิกเฉยต่ออีเมลนี้',
  },
  tr: {
    sms: '{name} doğrulama kodunuz: {code}',
    psd2: '{payee} alıcısına {amount} tutarındaki ödemeyi onaylamak için {name} doğrulama kodunuz: {code}',
    warning: 'Bu kodu kimseyle paylaşmayın. Sizden bu kodu asla istemeyiz.',
    call: '{message}. Tekrar ediyorum, kodunuz: {code}.',
    callPressKey: 'Burası {name}. Doğrulama kodunuzu dinlemek için herhangi bir tuşa basın.',
    callGoodbye: 'Hiçbir tuşa basılmadı. Hoşça kalın.',
    emailSubject: '{name} doğrulama kodunuz',
    emailBody:
      '{name} doğrulama kodunuz: {code}\n\nKod {minutes} dakika boyunca geçerlidir.\n\n' +
      'Bu kodu siz istemediyseniz bu e-postayı dikkate almayın.',
  },
  vi: {
    sms: 'Mã xác minh {name} của bạn là: {code}',
    psd2: 'Mã xác minh {name} của bạn để cho phép thanh toán {amount} cho {payee} là: {code}',
    warning: 'Không chia sẻ mã này với bất kỳ ai. Chúng tôi sẽ không bao giờ hỏi bạn mã này.',
    call: '{message}. Xin nhắc lại, mã của bạn là: {code}.',
    callPressKey: 'Đây là {name}. Nhấn phím bất kỳ để nghe mã xác minh của bạn.',
    callGoodbye: 'Không có phím nào được nhấn. Tạm biệt.',
    emailSubject: 'Mã xác minh {name} của bạn',
    emailBody:
      'Mã xác minh {name} của bạn là: {code}\n\nMã có hiệu lực trong {minutes} phút.\n\n' +
      'Nếu bạn không yêu cầu mã này, vui lòng bỏ qua email này.',
  },
  uk: {
    sms: 'Ваш код підтвердження {name}: {code}',
    psd2: 'Ваш код підтвердження {name} для авторизації платежу на суму {amount} на користь {payee}: {code}',
    warning: 'Нікому не повідомляйте цей код. Ми ніколи не попросимо його у вас.',
    call: '{message}. Повторюю, ваш код: {code}.',
    callPressKey: 'Вас турбує {name}. Натисніть будь-яку клавішу, щоб прослухати код підтвердження.',
    callGoodbye: 'Клавішу не натиснуто. До побачення.',
    emailSubject: 'Ваш код підтвердження {name}',
    emailBody:
      'Ваш код підтвердження {name}: {code}\n\nКод дійсний {minutes} хв.\n\n' +
      'Якщо ви не запитували цей код, просто проігноруйте цей лист.',
  },
  bg: {
    sms: 'Вашият код за потвърждение за {name} е: {code}',
    psd2: 'Вашият код за потвърждение за {name} за разрешаване на плащане от {amount} към {payee} е: {code}',
    warning: 'Не споделяйте този код с никого. Никога няма да ви го поискаме.',
    call: '{message}. Повтарям, вашият код е: {code}.',
    callPressKey: 'Обажда се {name}. Натиснете произволен клавиш, за да чуете кода си за потвърждение.',
    callGoodbye: 'Не беше натиснат клавиш. Довиждане.',
    emailSubject: 'Вашият код за потвърждение за {name}',
    emailBody:
      'Вашият код за потвърждение за {name} е: {code}\n\nКодът е валиден {minutes} мин.\n\n' +
      'Ако не сте поискали този код, игнорирайте този имейл.',
  },
};
