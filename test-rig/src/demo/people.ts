/** The demo neighbourhood's residents: invented names, as a mixed neighbourhood might have. */
export const RESIDENTS = [
  'Ana Lindqvist',
  'Bo Eriksson',
  'Carmen Ruiz',
  'Dawit Bekele',
  'Elin Holm',
  'Farah Haddad',
  'Gustav Berg',
  'Hana Novak',
  'Ibrahim Diallo',
  'Jonas Sandberg',
  'Karin Nyström',
  'Luis Ortega',
  'Maja Åberg',
  'Nadia Petrova',
  'Oskar Lund',
  'Paula Jiménez',
  'Quentin Moreau',
  'Rosa Castillo',
  'Sven Karlsson',
  'Tove Strand',
  'Umar Farouk',
  'Vera Blom',
  'William Okafor',
  'Ximena Torres',
  'Yusuf Demir',
  'Zara Ekström',
  'Alba Moreno',
] as const;

export const PAYMENT_KINDS = [
  { category: 'food', memos: ['eggs', 'vegetable box', 'sourdough loaf', 'jam', 'apples from the orchard', 'honey'], min: 300, max: 2500 },
  { category: 'repairs', memos: ['bike repair', 'fixed the tap', 'sewing machine service', 'chair glued'], min: 1500, max: 8000 },
  { category: 'care', memos: ['babysitting', 'walked the dog', 'shopping for neighbour'], min: 1000, max: 5000 },
  { category: 'garden', memos: ['seedlings', 'compost', 'pruning help', 'firewood'], min: 500, max: 4000 },
  { category: 'transport', memos: ['ride to the station', 'cargo bike delivery', 'moved a sofa'], min: 800, max: 3500 },
  { category: 'learning', memos: ['Spanish lesson', 'guitar lesson', 'homework help', 'phone set-up help'], min: 1000, max: 4000 },
] as const;

export const HOUR_MEMOS = ['helped at the community kitchen', 'garden workday', 'repair café shift', 'tool library desk', 'elder visit'] as const;
