// Checks that tell a real identifier from a look-alike: check digits, registry lengths and
// structures, number ranges that are never issued. The detector (issue 5) runs them on candidate
// spans after its pre-scan; they are usable on their own (field validation, tokenisation).
//
// Pure functions over ASCII text; safe to call concurrently.
#ifndef CRMI_PRIVACY_VALIDATORS_H_
#define CRMI_PRIVACY_VALIDATORS_H_

#include <optional>
#include <string>
#include <string_view>

namespace crmi::privacy {

// Luhn (mod 10) over a string of digits; false when it is empty or holds anything else.
bool LuhnValid(std::string_view digits);

// The digits of `text` when it holds only digits and characters of `separators`, never two
// separators in a row nor one at either end; nullopt otherwise.
std::optional<std::string> DigitsOf(std::string_view text, std::string_view separators = " -");

enum class CardBrand {
  kUnknown,
  kVisa,
  kMastercard,
  kAmex,
  kDiscover,
  kDiners,
  kJcb,
  kUnionPay,
  kMaestro
};
std::string_view CardBrandName(CardBrand brand);
// The brand by issuer identification number (the leading digits) and length.
CardBrand CardBrandOf(std::string_view digits);

// 13 to 19 digits, optionally grouped by spaces or dashes, passing Luhn, and not 13 digits
// starting with 1 (a millisecond timestamp). The brand is not required: private-label and UATP
// cards have none of the big networks' prefixes.
bool CardNumberValid(std::string_view text);

// The IBAN registry's length for a country code ("DE" → 22); 0 when the code is not in it.
int IbanLength(std::string_view country);
// An IBAN, with or without grouping (spaces, dashes or dots): a registry country, its exact length,
// a BBAN of the registry's structure where it is known here, and the ISO 7064 mod-97 check
// (remainder 1).
bool IbanValid(std::string_view text);

// A US social security number as 9 digits, optionally AAA-GG-SSSS with one kind of separator
// ('-', '.' or ' '): area not 000, 666 or 900-999, group not 00, serial not 0000, and not one of
// the numbers known to have been published as examples (078-05-1120, 219-09-9999, 123-45-6789)
// or all one digit.
bool UsSsnValid(std::string_view text);

// A UK National Insurance number (HMRC's rules): two prefix letters (neither D, F, I, Q, U, V;
// the second not O; not BG, GB, KN, NK, NT, TN or ZZ), six digits, a suffix A-D; spaces between
// the pairs allowed; case-insensitive.
bool UkNinoValid(std::string_view text);

}  // namespace crmi::privacy

#endif  // CRMI_PRIVACY_VALIDATORS_H_
