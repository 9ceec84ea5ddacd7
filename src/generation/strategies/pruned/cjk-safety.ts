/**
 * What a user cannot eat, said in Chinese, Japanese or Korean without an allergy word ("不能吃麻，花椒会
 * 让我胃疼": cannot eat numbing spice, Sichuan pepper gives me stomach ache). A chat's turn saying it
 * never goes whole, as a turn with an allergy (lexicon.ts ALLERGY; review: that turn went whole in a
 * Chinese travel chat at keep 0.5). Chinese and Japanese have no spaces, so a turn is one or a few
 * units and its words cannot be locked apart: the turn is kept.
 */
export const CJK_INTOLERANCE = /不能吃|不可以吃|吃不了|不耐受|忌口|胃疼|胃痛|食べられない|食べれない|못[ \t]?먹/u;
